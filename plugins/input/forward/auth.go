package forward

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/sluice-logs/sluice/internal/forwardproto"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// auth is the shared-key (and optional user) authentication of the
// forward protocol's handshake.
type auth struct {
	sharedKey string
	hostname  string
	users     map[string]string // name -> password
}

func newAuth(c *plugin.Config) (*auth, error) {
	key := c.String("Shared_Key")
	if key == "" && !c.Bool("Empty_Shared_Key") {
		if len(c.AllWords("Security.Users")) > 0 {
			return nil, c.Errorf("Security.Users", "users need the handshake: set Shared_Key (or Empty_Shared_Key on)")
		}
		return nil, nil
	}
	a := &auth{sharedKey: key, hostname: c.String("Self_Hostname")}
	for _, u := range c.AllWords("Security.Users") {
		if a.users == nil {
			a.users = map[string]string{}
		}
		a.users[u[0]] = u[1]
	}
	return a, nil
}

// handshake sends HELO, checks the client's PING and answers PONG. A
// client that fails is told why and disconnected.
func (s *session) handshake() error {
	a := s.in.auth
	helo := forwardproto.Helo{Nonce: make([]byte, 16), Keepalive: true}
	rand.Read(helo.Nonce)
	if a.users != nil {
		helo.Auth = make([]byte, 16)
		rand.Read(helo.Auth)
	} else {
		helo.Auth = []byte{}
	}
	if err := s.write(forwardproto.AppendHelo(nil, helo)); err != nil {
		return fmt.Errorf("sending HELO: %w", err)
	}
	// A client that connects and never sends PING must not hold the
	// connection: the whole PING gets one deadline.
	s.conn.SetReadDeadline(time.Now().Add(s.in.msgTimeout))
	msg, err := s.r.Next()
	s.conn.SetReadDeadline(time.Time{})
	if err != nil {
		return fmt.Errorf("handshake: waiting for PING: %w", err)
	}
	ping, err := forwardproto.ParsePing(msg)
	if err != nil {
		return fmt.Errorf("%w: handshake: %v", errProtocol, err)
	}
	reason := ""
	want := forwardproto.SharedKeyDigest(ping.SharedKeySalt, ping.Hostname, helo.Nonce, a.sharedKey)
	switch {
	case subtle.ConstantTimeCompare([]byte(want), []byte(ping.SharedKeyDigest)) != 1:
		reason = "shared_key mismatch"
	case a.users != nil:
		pw, ok := a.users[ping.Username]
		if !ok || subtle.ConstantTimeCompare([]byte(forwardproto.PasswordDigest(helo.Auth, ping.Username, pw)), []byte(ping.PasswordDigest)) != 1 {
			reason = "username/password mismatch"
		}
	}
	pong := forwardproto.Pong{OK: reason == "", Reason: reason}
	if pong.OK {
		pong.Hostname = a.hostname
		pong.SharedKeyDigest = forwardproto.SharedKeyDigest(ping.SharedKeySalt, a.hostname, helo.Nonce, a.sharedKey)
	}
	if err := s.write(forwardproto.AppendPong(nil, pong)); err != nil {
		return fmt.Errorf("sending PONG: %w", err)
	}
	if !pong.OK {
		return fmt.Errorf("authentication failed for client %q: %s", ping.Hostname, reason)
	}
	return nil
}
