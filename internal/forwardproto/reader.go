package forwardproto

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Reader frames msgpack messages out of a stream. Its buffer starts at one
// chunk and grows a chunk at a time, up to a maximum: a message that would
// not fit fails with a *TooLargeError as soon as its headers say so.
type Reader struct {
	r          io.Reader
	buf        []byte
	start, end int
	chunk, max int

	// MessageTimeout, when above 0 and the underlying reader can set read
	// deadlines (a net.Conn), bounds the time between the first byte of a
	// message and its last: a client that trickles a message byte by byte
	// is cut off. An idle connection between messages has no deadline.
	MessageTimeout time.Duration
	armed          bool
}

// NewReader returns a Reader of r with a buffer growing by chunk bytes up
// to max bytes.
func NewReader(r io.Reader, chunk, maxSize int) *Reader {
	chunk = max(1, min(chunk, maxSize))
	return &Reader{r: r, chunk: chunk, max: maxSize}
}

type deadliner interface{ SetReadDeadline(time.Time) error }

// Next returns the next complete message, which aliases the buffer until
// the next call. At the end of the stream between messages it returns
// io.EOF; ending inside a message is an error.
func (r *Reader) Next() ([]byte, error) {
	for {
		if r.end > r.start {
			n, err := ScanValue(r.buf[r.start:r.end], r.max)
			if err == nil {
				msg := r.buf[r.start : r.start+n]
				r.start += n
				r.disarm()
				return msg, nil
			}
			if !errors.Is(err, ErrNeedMore) {
				return nil, err
			}
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// Buffered reports whether a complete message is already buffered, so that
// the next Next returns without reading: a server batches such messages
// into one hand-over.
func (r *Reader) Buffered() bool {
	if r.end == r.start {
		return false
	}
	_, err := ScanValue(r.buf[r.start:r.end], r.max)
	return err == nil
}

// Partial reports how many bytes of an incomplete message are buffered.
func (r *Reader) Partial() int { return r.end - r.start }

// fill reads more bytes, making room first. A buffer that grew for a large
// message is given back once that message is consumed, so an idle
// connection holds one chunk, not Buffer_Max_Size.
func (r *Reader) fill() error {
	if r.start == r.end && len(r.buf) > r.chunk {
		r.buf, r.start, r.end = nil, 0, 0
	}
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	if r.end == len(r.buf) {
		if len(r.buf) >= r.max {
			return &TooLargeError{Declared: uint64(r.max) + 1, Limit: r.max}
		}
		grown := make([]byte, min(len(r.buf)+r.chunk, r.max))
		copy(grown, r.buf[:r.end])
		r.buf = grown
	}
	if r.end > 0 {
		r.arm()
	}
	n, err := r.r.Read(r.buf[r.end:])
	r.end += n
	switch {
	case err == nil || n > 0 && errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, io.EOF) && r.end == 0:
		return io.EOF
	case errors.Is(err, io.EOF):
		return fmt.Errorf("connection closed inside a message (%d bytes of it received)", r.end)
	case errors.Is(err, os.ErrDeadlineExceeded) && r.armed:
		return fmt.Errorf("message not complete after %s (%d bytes of it received): a slow or stalled client", r.MessageTimeout, r.end)
	}
	return err
}

// arm starts the message deadline when the first bytes of a message are
// buffered.
func (r *Reader) arm() {
	d, ok := r.r.(deadliner)
	if r.MessageTimeout <= 0 || r.armed || !ok {
		return
	}
	d.SetReadDeadline(time.Now().Add(r.MessageTimeout))
	r.armed = true
}

// disarm clears the deadline after a complete message; bytes of the next
// one already buffered start a new deadline at the next read.
func (r *Reader) disarm() {
	if d, ok := r.r.(deadliner); ok && r.armed {
		d.SetReadDeadline(time.Time{})
		r.armed = false
	}
}
