package forward

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/sluice-logs/sluice/internal/forwardproto"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// maxInflation bounds the decompressed size of a CompressedPackedForward
// message as a multiple of Buffer_Max_Size: log text compresses 5 to 10
// times, and a larger ratio is a decompression bomb.
const maxInflation = 16

// serve reads messages from one client until it disconnects, breaks the
// protocol or ctx ends. Whatever ends it is logged with the reason; other
// connections are not affected.
func (in *Input) serve(ctx context.Context, nc net.Conn, emit plugin.Emitter) {
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	defer nc.Close()
	remote := nc.RemoteAddr().String()
	if remote == "" || remote == "@" {
		remote = in.address
	}
	s := &session{
		in:   in,
		conn: nc,
		r:    forwardproto.NewReader(nc, in.chunkSize, in.maxSize),
		dec:  decoder{maxInflated: maxInflation * in.maxSize},
	}
	s.r.MessageTimeout = in.msgTimeout
	err := s.run(ctx, emit)
	switch {
	case err == nil, ctx.Err() != nil:
		in.logger.Debug("connection closed", "remote", remote, "messages", s.messages, "records", s.records)
	default:
		in.logger.Warn("closing connection", "remote", remote, "reason", err.Error(), "messages", s.messages, "records", s.records)
	}
}

// session is the state of one connection.
type session struct {
	in       *Input
	conn     net.Conn
	r        *forwardproto.Reader
	dec      decoder
	events   record.Builder
	out      []byte // responses
	messages int
	records  int
}

func (s *session) run(ctx context.Context, emit plugin.Emitter) error {
	if tc, ok := s.conn.(*tls.Conn); ok {
		hctx, cancel := context.WithTimeout(ctx, s.in.msgTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			return fmt.Errorf("TLS handshake: %w", err)
		}
	}
	if s.in.auth != nil {
		if err := s.handshake(); err != nil {
			return err
		}
	}
	for {
		msg, err := s.r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return s.readError(err)
		}
		if forwardproto.IsPing(msg) {
			return fmt.Errorf("%w: PING received but this input requires no handshake (no Shared_Key)", errProtocol)
		}
		s.events.Reset()
		m, err := s.dec.decode(msg, &s.events)
		if err != nil {
			return fmt.Errorf("message %d: %w", s.messages+1, err)
		}
		if m.size >= 0 && int(m.size) != m.records {
			s.in.logger.Warn("option size does not match the events received", "size", m.size, "events", m.records, "tag", string(m.tag))
		}
		if m.records > 0 {
			if err := emit.Emit(ctx, s.tag(m.tag), s.events.Bytes(), s.events.Records()); err != nil {
				return fmt.Errorf("message %d not accepted (it is not acknowledged): %w", s.messages+1, err)
			}
		}
		s.messages++
		s.records += m.records
		if m.chunk != nil {
			s.out = forwardproto.AppendAck(s.out[:0], m.chunk)
			if err := s.write(s.out); err != nil {
				return fmt.Errorf("sending ack: %w", err)
			}
		}
	}
}

// tag applies Tag (which replaces the client's tag) and Tag_Prefix.
func (s *session) tag(t []byte) string {
	if s.in.tagOverride != "" {
		return s.in.tagOverride
	}
	return s.in.tagPrefix + string(t)
}

func (s *session) write(b []byte) error {
	s.conn.SetWriteDeadline(time.Now().Add(s.in.msgTimeout))
	_, err := s.conn.Write(b)
	return err
}

// readError explains a framing or I/O failure.
func (s *session) readError(err error) error {
	var tooLarge *forwardproto.TooLargeError
	if errors.As(err, &tooLarge) {
		return fmt.Errorf("message %d is too large: %w; raise Buffer_Max_Size or have the client send smaller chunks", s.messages+1, err)
	}
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return fmt.Errorf("message %d: %w", s.messages+1, err)
}
