package record

import "github.com/tinylib/msgp/msgp"

// Chunk is a batch of events that share one tag: the unit Sluice routes,
// buffers, retries and hands to outputs. Data is the concatenation of the
// encoded events; Records is how many there are.
//
// A Chunk given to an output is shared by every output it was routed to and
// must be treated as read-only.
type Chunk struct {
	Tag     string
	Data    []byte
	Records int
}

// Builder appends encoded events to a growing buffer. The zero value is ready
// to use; Reset keeps the allocated buffer for reuse.
type Builder struct {
	buf   []byte
	count int
}

// Reset empties the builder and keeps its buffer.
func (b *Builder) Reset() { b.buf, b.count = b.buf[:0], 0 }

// Bytes returns the encoded events. The slice aliases the builder's buffer
// until the next Reset or append.
func (b *Builder) Bytes() []byte { return b.buf }

// Records is the number of events appended since the last Reset.
func (b *Builder) Records() int { return b.count }

// Size is the number of encoded bytes.
func (b *Builder) Size() int { return len(b.buf) }

// AppendRaw appends an already-encoded event, such as Event.Raw.
func (b *Builder) AppendRaw(event []byte) {
	b.buf = append(b.buf, event...)
	b.count++
}

// Append appends an event made of a time, a raw msgpack metadata map (nil
// for none) and a raw msgpack body map. Neither map is validated: pass
// bytes that came from a decoded Event or were built as maps.
func (b *Builder) Append(t Time, meta, body []byte) {
	b.BeginEvent(t, meta)
	b.buf = append(b.buf, body...)
}

// BeginEvent writes the header of a new event; the caller must then write
// exactly one body map with AppendMapHeader and the Append* value methods.
// The time is written as an EventTime, as Fluent Bit does; a time before
// 1970 or after 2106, which EventTime cannot hold, as float seconds.
func (b *Builder) BeginEvent(t Time, meta []byte) {
	b.buf = append(b.buf, 0x92, 0x92) // [[time, meta], body]
	b.buf = appendEventTime(b.buf, t)
	if len(meta) == 0 {
		meta = emptyMap
	}
	b.buf = append(b.buf, meta...)
	b.count++
}

// AppendMapHeader writes a map header of n key/value pairs.
func (b *Builder) AppendMapHeader(n int) { b.buf = msgp.AppendMapHeader(b.buf, uint32(n)) }

// AppendString writes a msgpack string.
func (b *Builder) AppendString(s string) { b.buf = msgp.AppendString(b.buf, s) }

// AppendStringBytes writes s as a msgpack string.
func (b *Builder) AppendStringBytes(s []byte) { b.buf = msgp.AppendStringFromBytes(b.buf, s) }

// AppendInt writes a msgpack integer.
func (b *Builder) AppendInt(i int64) { b.buf = msgp.AppendInt64(b.buf, i) }

// AppendRawValue writes an already-encoded msgpack value.
func (b *Builder) AppendRawValue(v []byte) { b.buf = append(b.buf, v...) }

// AppendJSONValue converts one JSON value to msgpack and writes it (see
// AppendJSONAsMsgpack). On error nothing is written.
func (b *Builder) AppendJSONValue(js []byte) error {
	out, err := AppendJSONAsMsgpack(b.buf, js)
	if err != nil {
		return err
	}
	b.buf = out
	return nil
}

// Mark is a position in a Builder to roll back to when an event turns out
// to be invalid half-way through its encoding.
type Mark struct{ size, count int }

// Mark returns the builder's current position.
func (b *Builder) Mark() Mark { return Mark{len(b.buf), b.count} }

// Rollback discards everything appended after m. m must have been taken
// since the last Reset; an older one would bring back stale bytes, so it
// panics instead.
func (b *Builder) Rollback(m Mark) {
	if m.size > len(b.buf) || m.count > b.count {
		panic("record: Builder.Rollback to a Mark taken before Reset")
	}
	b.buf, b.count = b.buf[:m.size], m.count
}

// AppendEvent appends a decoded event: its raw bytes as they are when they
// are already in the chunk's own shape ([[EventTime, meta], body], as Fluent
// Bit v2 sends them over forward), else re-encoded from its time, metadata
// and body (the legacy [time, body] form, integer or float times, extra
// header fields).
func (b *Builder) AppendEvent(ev *Event) {
	if r := ev.Raw; len(r) > 4 && r[0] == 0x92 && r[1] == 0x92 && r[2] == 0xd7 && r[3] == eventTimeExtType {
		b.AppendRaw(r)
		return
	}
	b.Append(ev.Time, ev.Meta, ev.Body)
}
