package forward

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/sluice-logs/sluice/internal/forwardproto"
)

// maxResponse bounds a server's handshake and ack messages.
const maxResponse = 64 << 10

// conn is a connection to one node.
type conn struct {
	node     *node
	nc       net.Conn
	r        *forwardproto.Reader
	lastUsed time.Time
	uses     int
}

func (c *conn) close() { c.nc.Close() }

// take returns a kept connection to n that is still open, or opens a new
// one. Connections past their idle time or use count are closed.
func (o *Output) take(ctx context.Context, n *node) (*conn, error) {
	now := time.Now()
	o.mu.Lock()
	for i := len(o.idle) - 1; i >= 0; i-- {
		c := o.idle[i]
		if c.node != n {
			continue
		}
		o.idle = append(o.idle[:i], o.idle[i+1:]...)
		if now.Sub(c.lastUsed) > o.idleTimeout || !alive(c.nc) {
			c.close()
			continue
		}
		o.mu.Unlock()
		return c, nil
	}
	o.mu.Unlock()
	return o.dial(ctx, n)
}

// give keeps c for the next Flush, or closes it.
func (o *Output) give(c *conn) {
	c.lastUsed = time.Now()
	c.uses++
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || !o.keepalive || (o.maxRecycle > 0 && c.uses >= o.maxRecycle) {
		c.close()
		return
	}
	o.idle = append(o.idle, c)
}

// alive reports whether the server has not closed nc, without blocking:
// a read with a deadline in the past returns at once, with EOF if the
// server hung up. Without this a write to a dead kept connection would
// succeed locally and lose the chunk when no ack is asked.
func alive(nc net.Conn) bool {
	nc.SetReadDeadline(time.Now().Add(-time.Second))
	var one [1]byte
	_, err := nc.Read(one[:])
	nc.SetReadDeadline(time.Time{})
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// dial connects to n: TCP or Unix, then TLS and the handshake, all within
// net.connect_timeout.
func (o *Output) dial(ctx context.Context, n *node) (*conn, error) {
	ctx, cancel := context.WithTimeout(ctx, o.connectTimeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, n.network, n.address)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", n.address, err)
	}
	deadline, _ := ctx.Deadline()
	nc.SetDeadline(deadline)
	if n.tls != nil {
		tc := tls.Client(nc, n.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, fmt.Errorf("TLS handshake with %s: %w", n.address, err)
		}
		nc = tc
	}
	c := &conn{node: n, nc: nc, r: forwardproto.NewReader(nc, 4096, maxResponse)}
	if n.auth != nil {
		if err := c.handshake(n.auth); err != nil {
			nc.Close()
			return nil, fmt.Errorf("handshake with %s: %w", n.address, err)
		}
	}
	nc.SetDeadline(time.Time{})
	return c, nil
}

// handshake answers the server's HELO with PING and checks its PONG,
// including the server's proof that it knows the shared key.
func (c *conn) handshake(a *clientAuth) error {
	msg, err := c.r.Next()
	if err != nil {
		return fmt.Errorf("waiting for HELO: %w", err)
	}
	helo, err := forwardproto.ParseHelo(msg)
	if err != nil {
		return err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	ping := forwardproto.Ping{Hostname: a.hostname, SharedKeySalt: salt,
		SharedKeyDigest: forwardproto.SharedKeyDigest(salt, a.hostname, helo.Nonce, a.sharedKey)}
	if a.username != "" || len(helo.Auth) > 0 {
		ping.Username = a.username
		ping.PasswordDigest = forwardproto.PasswordDigest(helo.Auth, a.username, a.password)
	}
	if _, err := c.nc.Write(forwardproto.AppendPing(nil, ping)); err != nil {
		return fmt.Errorf("sending PING: %w", err)
	}
	if msg, err = c.r.Next(); err != nil {
		return fmt.Errorf("waiting for PONG: %w", err)
	}
	pong, err := forwardproto.ParsePong(msg)
	if err != nil {
		return err
	}
	if !pong.OK {
		return fmt.Errorf("the server refused authentication: %s; check Shared_Key, Self_Hostname, Username and Password", pong.Reason)
	}
	if pong.SharedKeyDigest != forwardproto.SharedKeyDigest(salt, pong.Hostname, helo.Nonce, a.sharedKey) {
		return errors.New("the server's PONG does not prove the shared key: wrong server, or a different Shared_Key")
	}
	return nil
}

// send writes msg and, when chunkID is set, waits for its ack, all within
// net.io_timeout; ctx ending (the engine's grace period) cuts it short.
func (o *Output) send(ctx context.Context, c *conn, msg, chunkID []byte) error {
	c.nc.SetDeadline(time.Now().Add(o.ioTimeout))
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Now()) })
	defer func() {
		if stop() {
			c.nc.SetDeadline(time.Time{})
		}
	}()
	if _, err := c.nc.Write(msg); err != nil {
		return fmt.Errorf("send to %s: %w", c.node.address, err)
	}
	if chunkID == nil {
		return nil
	}
	resp, err := c.r.Next()
	if err != nil {
		return fmt.Errorf("waiting for the ack of chunk %s from %s: %w", chunkID, c.node.address, err)
	}
	got, err := forwardproto.ParseAck(resp)
	if err != nil {
		return fmt.Errorf("response from %s: %w", c.node.address, err)
	}
	if !bytes.Equal(got, chunkID) {
		return fmt.Errorf("%s acknowledged chunk %q, want %q", c.node.address, got, chunkID)
	}
	return nil
}
