package forward

import (
	"bytes"
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
	events   record.Builder // events of the batched messages
	batchTag []byte         // client tag of the batched messages
	// lastTag is the pipeline tag made for lastClientTag: a connection
	// almost always sends one tag, so it is built once, not per flush.
	lastClientTag []byte
	lastTag       string
	batchMsgs     int    // messages batched, not yet handed over
	acks          []byte // acks of the batched messages
	messages      int    // messages handed over
	records       int
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
		n := s.messages + s.batchMsgs + 1
		if forwardproto.IsPing(msg) {
			return errors.Join(s.flush(ctx, emit),
				fmt.Errorf("%w: PING received but this input requires no handshake (no Shared_Key)", errProtocol))
		}
		tag, rest, perr := splitTag(msg)
		if s.batchMsgs > 0 && (perr != nil || !bytes.Equal(tag, s.batchTag)) {
			if err := s.flush(ctx, emit); err != nil {
				return err
			}
		}
		mark := s.events.Mark()
		m, err := s.dec.decodeAfterTag(tag, rest, perr, &s.events)
		if err != nil {
			s.events.Rollback(mark)
			return errors.Join(s.flush(ctx, emit), fmt.Errorf("message %d: %w", n, err))
		}
		if m.size >= 0 && int(m.size) != m.records {
			s.in.logger.Warn("option size does not match the events received", "size", m.size, "events", m.records, "tag", string(m.tag))
		}
		s.batchTag = append(s.batchTag[:0], m.tag...)
		s.batchMsgs++
		if m.chunk != nil {
			s.acks = forwardproto.AppendAck(s.acks, m.chunk)
		}
		if !s.r.Buffered() || s.events.Size() >= batchBytes {
			if err := s.flush(ctx, emit); err != nil {
				return err
			}
		}
	}
}

// batchBytes bounds the events of consecutive messages handed to the
// pipeline in one Emit.
const batchBytes = 1 << 20

// flush hands the batched messages' events to the pipeline and, once it
// accepted them, acknowledges the messages that asked for it.
func (s *session) flush(ctx context.Context, emit plugin.Emitter) error {
	if s.batchMsgs == 0 {
		return nil
	}
	if n := s.events.Records(); n > 0 {
		if err := emit.Emit(ctx, s.pipelineTag(s.batchTag), s.events.Bytes(), n); err != nil {
			return fmt.Errorf("messages %d to %d not accepted (they are not acknowledged): %w", s.messages+1, s.messages+s.batchMsgs, err)
		}
	}
	s.messages += s.batchMsgs
	s.records += s.events.Records()
	s.batchMsgs = 0
	s.release()
	s.events.Reset()
	if len(s.acks) > 0 {
		err := s.write(s.acks)
		s.acks = s.acks[:0]
		if err != nil {
			return fmt.Errorf("sending acks: %w", err)
		}
	}
	return nil
}

// keepBytes is the most a connection keeps allocated between messages for
// decoded events and inflated payloads; larger buffers are let go.
const keepBytes = 4 << 20

// release lets go of buffers a large message made grow.
func (s *session) release() {
	if s.events.Size() > keepBytes {
		s.events = record.Builder{}
	}
	if s.dec.inflated.Cap() > keepBytes {
		s.dec.inflated = bytes.Buffer{}
	}
}

// pipelineTag applies Tag (which replaces the client's tag) and
// Tag_Prefix, reusing the string made for the previous flush when the
// client's tag is the same.
func (s *session) pipelineTag(t []byte) string {
	if s.in.tagOverride != "" {
		return s.in.tagOverride
	}
	if s.lastTag == "" || !bytes.Equal(t, s.lastClientTag) {
		s.lastClientTag = append(s.lastClientTag[:0], t...)
		s.lastTag = s.in.tagPrefix + string(t)
	}
	return s.lastTag
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
