package forwardproto

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"

	"github.com/tinylib/msgp/msgp"
)

// Helo is the server's greeting when authentication is required:
// ["HELO", {"nonce": bin, "auth": bin, "keepalive": bool}]. Auth is the
// salt of user authentication, empty when no users are configured.
type Helo struct {
	Nonce     []byte
	Auth      []byte
	Keepalive bool
}

// AppendHelo appends the encoded HELO message.
func AppendHelo(dst []byte, h Helo) []byte {
	dst = msgp.AppendArrayHeader(dst, 2)
	dst = msgp.AppendString(dst, "HELO")
	dst = msgp.AppendMapHeader(dst, 3)
	dst = msgp.AppendString(dst, "nonce")
	dst = msgp.AppendBytes(dst, h.Nonce)
	dst = msgp.AppendString(dst, "auth")
	dst = msgp.AppendBytes(dst, h.Auth)
	dst = msgp.AppendString(dst, "keepalive")
	return msgp.AppendBool(dst, h.Keepalive)
}

// ParseHelo decodes a HELO message; the result does not alias msg.
func ParseHelo(msg []byte) (Helo, error) {
	var h Helo
	r, err := expect(msg, "HELO", 2)
	if err != nil {
		return h, err
	}
	n, r, err := msgp.ReadMapHeaderBytes(r)
	if err != nil {
		return h, fmt.Errorf("HELO options: %w", err)
	}
	for i := uint32(0); i < n; i++ {
		var key []byte
		if key, r, err = msgp.ReadMapKeyZC(r); err != nil {
			return h, fmt.Errorf("HELO options: %w", err)
		}
		switch string(key) {
		case "nonce":
			h.Nonce, r, err = readCopy(r)
		case "auth":
			h.Auth, r, err = readCopy(r)
		case "keepalive":
			h.Keepalive, r, err = msgp.ReadBoolBytes(r)
		default:
			r, err = msgp.Skip(r)
		}
		if err != nil {
			return h, fmt.Errorf("HELO option %s: %w", key, err)
		}
	}
	return h, nil
}

// Ping is the client's answer to HELO: ["PING", hostname, shared_key_salt,
// shared_key_hexdigest, username, password_hexdigest].
type Ping struct {
	Hostname        string
	SharedKeySalt   []byte
	SharedKeyDigest string
	Username        string
	PasswordDigest  string
}

// AppendPing appends the encoded PING message.
func AppendPing(dst []byte, p Ping) []byte {
	dst = msgp.AppendArrayHeader(dst, 6)
	dst = msgp.AppendString(dst, "PING")
	dst = msgp.AppendString(dst, p.Hostname)
	dst = msgp.AppendBytes(dst, p.SharedKeySalt)
	dst = msgp.AppendString(dst, p.SharedKeyDigest)
	dst = msgp.AppendString(dst, p.Username)
	return msgp.AppendString(dst, p.PasswordDigest)
}

// ParsePing decodes a PING message.
func ParsePing(msg []byte) (Ping, error) {
	var p Ping
	r, err := expect(msg, "PING", 6)
	if err != nil {
		return p, err
	}
	var salt []byte
	fields := []*string{&p.Hostname, nil, &p.SharedKeyDigest, &p.Username, &p.PasswordDigest}
	for i, f := range fields {
		var b []byte
		if b, r, err = readBytes(r); err != nil {
			return p, fmt.Errorf("PING field %d: %w", i+1, err)
		}
		if f == nil {
			salt = b
		} else {
			*f = string(b)
		}
	}
	p.SharedKeySalt = append([]byte(nil), salt...)
	return p, nil
}

// Pong is the server's verdict: ["PONG", auth_result, reason, hostname,
// shared_key_hexdigest].
type Pong struct {
	OK              bool
	Reason          string
	Hostname        string
	SharedKeyDigest string
}

// AppendPong appends the encoded PONG message.
func AppendPong(dst []byte, p Pong) []byte {
	dst = msgp.AppendArrayHeader(dst, 5)
	dst = msgp.AppendString(dst, "PONG")
	dst = msgp.AppendBool(dst, p.OK)
	dst = msgp.AppendString(dst, p.Reason)
	dst = msgp.AppendString(dst, p.Hostname)
	return msgp.AppendString(dst, p.SharedKeyDigest)
}

// ParsePong decodes a PONG message.
func ParsePong(msg []byte) (Pong, error) {
	var p Pong
	r, err := expect(msg, "PONG", 5)
	if err != nil {
		return p, err
	}
	if p.OK, r, err = msgp.ReadBoolBytes(r); err != nil {
		return p, fmt.Errorf("PONG auth_result: %w", err)
	}
	for i, f := range []*string{&p.Reason, &p.Hostname, &p.SharedKeyDigest} {
		var b []byte
		if b, r, err = readBytes(r); err != nil {
			return p, fmt.Errorf("PONG field %d: %w", i+2, err)
		}
		*f = string(b)
	}
	return p, nil
}

// SharedKeyDigest is hex(sha512(salt + hostname + nonce + sharedKey)), the
// proof of the shared key in PING (client hostname) and PONG (server
// hostname).
func SharedKeyDigest(salt []byte, hostname string, nonce []byte, sharedKey string) string {
	h := sha512.New()
	h.Write(salt)
	h.Write([]byte(hostname))
	h.Write(nonce)
	h.Write([]byte(sharedKey))
	return hex.EncodeToString(h.Sum(nil))
}

// PasswordDigest is hex(sha512(authSalt + username + password)), the proof
// of a user's password in PING.
func PasswordDigest(authSalt []byte, username, password string) string {
	h := sha512.New()
	h.Write(authSalt)
	h.Write([]byte(username))
	h.Write([]byte(password))
	return hex.EncodeToString(h.Sum(nil))
}

// AppendAck appends the ack response {"ack": chunk}.
func AppendAck(dst, chunk []byte) []byte {
	dst = msgp.AppendMapHeader(dst, 1)
	dst = msgp.AppendString(dst, "ack")
	return msgp.AppendStringFromBytes(dst, chunk)
}

// ParseAck decodes an ack response and returns its chunk id, which aliases
// msg.
func ParseAck(msg []byte) ([]byte, error) {
	n, r, err := msgp.ReadMapHeaderBytes(msg)
	if err != nil {
		return nil, fmt.Errorf("ack response is not a map: %w", err)
	}
	for i := uint32(0); i < n; i++ {
		var key []byte
		if key, r, err = msgp.ReadMapKeyZC(r); err != nil {
			return nil, fmt.Errorf("ack response: %w", err)
		}
		if string(key) == "ack" {
			id, _, err := readBytes(r)
			if err != nil {
				return nil, fmt.Errorf("ack response: %w", err)
			}
			return id, nil
		}
		if r, err = msgp.Skip(r); err != nil {
			return nil, fmt.Errorf("ack response: %w", err)
		}
	}
	return nil, fmt.Errorf("ack response has no \"ack\" key")
}

// IsPing reports whether msg is a PING message, for a server that does
// not require authentication and must refuse one clearly.
func IsPing(msg []byte) bool {
	// Called for every message a connection reads: it must not build the
	// errors expect describes a wrong message with.
	got, r, err := msgp.ReadArrayHeaderBytes(msg)
	if err != nil || got != 6 {
		return false
	}
	w, _, err := readBytes(r)
	return err == nil && string(w) == "PING"
}

// expect checks that msg is an array of n elements whose first is the
// string word, and returns the bytes after the word.
func expect(msg []byte, word string, n uint32) ([]byte, error) {
	got, r, err := msgp.ReadArrayHeaderBytes(msg)
	if err != nil {
		return nil, fmt.Errorf("%s message is not an array: %w", word, err)
	}
	w, r, err := readBytes(r)
	if err != nil || string(w) != word {
		return nil, fmt.Errorf("want a %s message, got another", word)
	}
	if got != n {
		return nil, fmt.Errorf("%s message has %d elements, want %d", word, got, n)
	}
	return r, nil
}

// readCopy reads a str or bin into a new slice, for values that must
// outlive the read buffer.
func readCopy(b []byte) ([]byte, []byte, error) {
	v, r, err := readBytes(b)
	return append([]byte{}, v...), r, err
}

// readBytes reads a str or bin without copying.
func readBytes(b []byte) ([]byte, []byte, error) {
	switch msgp.NextType(b) {
	case msgp.StrType:
		return msgp.ReadStringZC(b)
	case msgp.BinType:
		return msgp.ReadBytesZC(b)
	}
	return nil, b, fmt.Errorf("got %s, want a string", msgp.NextType(b))
}
