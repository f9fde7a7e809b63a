package forward

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/sluice-logs/sluice/internal/forwardproto"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// errProtocol wraps every error of a message that breaks the forward
// protocol, as opposed to I/O errors and refusals by the pipeline.
var errProtocol = errors.New("forward protocol")

func protocolf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errProtocol, fmt.Sprintf(format, args...))
}

// mode is the event mode of a forward message (Fluentd forward protocol
// v1, "Event Modes").
type mode uint8

const (
	modeMessage mode = iota + 1
	modeForward
	modePackedForward
	modeCompressedPackedForward
)

func (m mode) String() string {
	return [...]string{"", "Message", "Forward", "PackedForward", "CompressedPackedForward"}[m]
}

// message is what a decoded forward message says besides its events.
type message struct {
	mode mode
	tag  []byte // aliases the read buffer
	// chunk is the option the client wants acknowledged; nil for none.
	// It aliases the read buffer.
	chunk []byte
	// size is the option's event count, -1 when absent.
	size int64
	// records is the number of events decoded.
	records int
	// signal is Fluent Bit's fluent_signal option: 0 for logs, 1 for
	// metrics, 2 for traces.
	signal int64
}

// decoder turns complete forward messages into record events. It keeps
// its gzip reader and decompression buffer between messages; it is not
// safe for concurrent use (each connection has its own).
type decoder struct {
	// maxInflated bounds the decompressed payload of one
	// CompressedPackedForward message, against decompression bombs.
	maxInflated int
	gz          *gzip.Reader
	inflated    bytes.Buffer
}

// decode decodes the forward message msg (one complete msgpack value, see
// forwardproto.ScanValue) and appends its events to out in Sluice's chunk format. On
// error out may hold some of the message's events: the caller rolls back.
// The modes, per the forward protocol v1 specification:
//
//	Message:                 [tag, time, record, option?]
//	Forward:                 [tag, [[time, record], ...], option?]
//	PackedForward:           [tag, bin|str(entries), option?]
//	CompressedPackedForward: [tag, bin|str(gzip(entries)), {"compressed": "gzip", ...}]
//
// time is an integer or an EventTime; an entry may also be Fluent Bit's
// [[time, metadata], record], whose metadata is kept.
func (d *decoder) decode(msg []byte, out *record.Builder) (message, error) {
	tag, rest, err := splitTag(msg)
	return d.decodeAfterTag(tag, rest, err, out)
}

// tagged is what splitTag read: the message's element count, then its tag.
type tagged struct {
	n    uint32
	rest []byte
}

// splitTag reads a message's array header and tag, so a connection can
// compare the tag with its batch's before decoding the rest with
// decodeAfterTag (the tag is read once).
func splitTag(msg []byte) (tag []byte, rest tagged, err error) {
	n, r, err := msgp.ReadArrayHeaderBytes(msg)
	if err != nil {
		return nil, rest, protocolf("a message must be an array, got %s", typeName(msg))
	}
	if n < 2 || n > 4 {
		return nil, rest, protocolf("a message must have 2 to 4 elements, got %d", n)
	}
	if tag, r, err = readString(r); err != nil {
		return nil, rest, protocolf("tag: %v", err)
	}
	if len(tag) == 0 {
		return nil, rest, protocolf("empty tag")
	}
	return tag, tagged{n: n, rest: r}, nil
}

// decodeAfterTag is decode of a message whose array header and tag
// splitTag read (err is splitTag's).
func (d *decoder) decodeAfterTag(tag []byte, t tagged, err error, out *record.Builder) (message, error) {
	m := message{size: -1, tag: tag}
	if err != nil {
		return m, err
	}
	n, r := t.n, t.rest
	var entries []byte // PackedForward payload
	switch msgp.NextType(r) {
	case msgp.ArrayType: // Forward
		m.mode = modeForward
		var count uint32
		if count, r, err = msgp.ReadArrayHeaderBytes(r); err != nil {
			return m, protocolf("entries: %v", err)
		}
		for i := uint32(0); i < count; i++ {
			var ev record.Event
			if ev, r, err = record.DecodeEvent(r); err != nil {
				return m, fmt.Errorf("%w: entry %d: %w", errProtocol, i, err)
			}
			out.AppendEvent(&ev)
			m.records++
		}
	case msgp.BinType, msgp.StrType: // PackedForward, maybe compressed
		m.mode = modePackedForward
		if entries, r, err = readString(r); err != nil {
			return m, protocolf("entries: %v", err)
		}
	default: // Message
		m.mode = modeMessage
		var t record.Time
		if t, r, err = record.DecodeTime(r); err != nil {
			return m, protocolf("the second element must be a time, entries or packed entries: %v", err)
		}
		if n < 3 {
			return m, protocolf("a Message-mode message needs [tag, time, record]")
		}
		if msgp.NextType(r) != msgp.MapType {
			return m, protocolf("record is %s, want a map", typeName(r))
		}
		l, err := forwardproto.ScanValue(r, len(r))
		if err != nil {
			return m, protocolf("record: %v", err)
		}
		out.Append(t, nil, r[:l])
		r = r[l:]
		m.records = 1
		n-- // the option, if any, is the 4th element
	}
	if n == 4 {
		return m, protocolf("a %s-mode message has at most 3 elements, got 4", m.mode)
	}
	compressed := false
	if n == 3 {
		if compressed, err = m.readOptions(r); err != nil {
			return m, err
		}
	}
	if m.signal != 0 {
		return m, protocolf("fluent_signal %d (metrics or traces) is not supported; send only logs to this input", m.signal)
	}
	if m.mode == modePackedForward {
		if compressed {
			m.mode = modeCompressedPackedForward
			if entries, err = d.inflate(entries); err != nil {
				return m, err
			}
		}
		for i := 0; len(entries) > 0; i++ {
			var ev record.Event
			if ev, entries, err = record.DecodeEvent(entries); err != nil {
				return m, fmt.Errorf("%w: packed entry %d: %w", errProtocol, i, err)
			}
			out.AppendEvent(&ev)
			m.records++
		}
	}
	return m, nil
}

// readOptions reads the option map at the start of b: chunk, size and
// compressed; other keys are ignored, as by Fluentd. nil stands for no
// options.
func (m *message) readOptions(b []byte) (compressed bool, err error) {
	if msgp.IsNil(b) {
		return false, nil
	}
	if msgp.NextType(b) != msgp.MapType {
		return false, protocolf("option is %s, want a map", typeName(b))
	}
	walkErr := record.MapEntries(b, func(key, value []byte) bool {
		switch string(key) {
		case "chunk":
			var c []byte
			if c, _, err = readString(value); err != nil {
				err = protocolf("option chunk: %v", err)
				return false
			}
			m.chunk = c
		case "fluent_signal":
			if m.signal, _, err = msgp.ReadInt64Bytes(value); err != nil {
				err = protocolf("option fluent_signal must be an integer")
				return false
			}
		case "size":
			if m.size, _, err = msgp.ReadInt64Bytes(value); err != nil || m.size < 0 {
				err = protocolf("option size must be a non-negative integer")
				return false
			}
		case "compressed":
			var c []byte
			if c, _, err = readString(value); err != nil {
				err = protocolf("option compressed: %v", err)
				return false
			}
			switch string(c) {
			case "gzip":
				compressed = true
			case "text", "":
			default:
				err = protocolf("option compressed %q is not supported; use gzip", c)
				return false
			}
		}
		return true
	})
	if err == nil && walkErr != nil {
		err = protocolf("option: %v", walkErr)
	}
	return compressed, err
}

// inflate decompresses a gzip payload (possibly several concatenated gzip
// members, which the protocol allows) of at most maxInflated bytes. The
// result aliases the decoder's buffer until the next call.
func (d *decoder) inflate(payload []byte) ([]byte, error) {
	var err error
	if d.gz == nil {
		d.gz, err = gzip.NewReader(bytes.NewReader(payload))
	} else {
		err = d.gz.Reset(bytes.NewReader(payload))
	}
	if err != nil {
		return nil, protocolf("gzip payload: %v", err)
	}
	d.inflated.Reset()
	n, err := d.inflated.ReadFrom(io.LimitReader(d.gz, int64(d.maxInflated)+1))
	if err != nil {
		return nil, protocolf("gzip payload: %v", err)
	}
	if n > int64(d.maxInflated) {
		return nil, protocolf("gzip payload inflates to more than %d bytes; send smaller chunks", d.maxInflated)
	}
	return d.inflated.Bytes(), nil
}

// readString reads a msgpack str or bin without copying.
func readString(b []byte) ([]byte, []byte, error) {
	switch msgp.NextType(b) {
	case msgp.StrType:
		return msgp.ReadStringZC(b)
	case msgp.BinType:
		return msgp.ReadBytesZC(b)
	}
	return nil, b, fmt.Errorf("got %s, want a string", typeName(b))
}

func typeName(b []byte) string {
	if len(b) == 0 {
		return "end of data"
	}
	return msgp.NextType(b).String()
}
