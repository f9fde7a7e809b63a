package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/tinylib/msgp/msgp"
)

// emptyMap is the msgpack encoding of {}.
var emptyMap = []byte{0x80}

// Event is one decoded record. Meta, Body and Raw are sub-slices of the
// chunk the event was read from: valid as long as that chunk's bytes are,
// and never to be modified.
type Event struct {
	// Time is the event timestamp from the header.
	Time Time
	// Meta is the raw msgpack metadata map ({} when the event had none).
	Meta []byte
	// Body is the raw msgpack body map.
	Body []byte
	// Raw is the whole encoded event, ready to copy into another chunk.
	Raw []byte
}

// ErrMalformed wraps every decoding error, so callers can tell bad input
// from other failures with errors.Is.
var ErrMalformed = errors.New("malformed record")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// DecodeEvent decodes the event at the start of b and returns it with the
// bytes that follow it. It accepts the v2 shape [[time, meta, ...], body],
// where the header may omit the metadata and extra header fields are skipped,
// and the legacy shape [time, body]; time is anything DecodeTime reads.
//
// The metadata and body must be maps that nest at most 100 levels deep; a
// returned event is fully validated, so AppendJSON of its Body or Meta cannot
// fail. Errors wrap ErrMalformed.
func DecodeEvent(b []byte) (Event, []byte, error) {
	start := b
	n, rest, err := msgp.ReadArrayHeaderBytes(b)
	if err != nil {
		return Event{}, b, malformed("event is not an array: %v", err)
	}
	if n != 2 {
		return Event{}, b, malformed("event array has %d elements, want 2", n)
	}
	ev := Event{Meta: emptyMap}
	if msgp.NextType(rest) == msgp.ArrayType {
		// v2 header: [time, metadata]
		hn, r, err := msgp.ReadArrayHeaderBytes(rest)
		if err != nil || hn < 1 {
			return Event{}, b, malformed("event header must be [time, metadata]")
		}
		if ev.Time, r, err = DecodeTime(r); err != nil {
			return Event{}, b, err
		}
		if hn >= 2 {
			metaStart := r
			if r, err = skipMap(r, "metadata"); err != nil {
				return Event{}, b, err
			}
			ev.Meta = metaStart[:len(metaStart)-len(r)]
		}
		for i := uint32(2); i < hn; i++ { // tolerate extra header fields
			if r, err = skipValue(r, 1); err != nil {
				return Event{}, b, fmt.Errorf("event header field %d: %w", i, err)
			}
		}
		rest = r
	} else if ev.Time, rest, err = DecodeTime(rest); err != nil {
		return Event{}, b, err
	}
	bodyStart := rest
	if rest, err = skipMap(rest, "body"); err != nil {
		return Event{}, b, err
	}
	ev.Body = bodyStart[:len(bodyStart)-len(rest)]
	ev.Raw = start[:len(start)-len(rest)]
	return ev, rest, nil
}

// skipMap checks that b starts with a valid map and skips it.
func skipMap(b []byte, what string) ([]byte, error) {
	if msgp.NextType(b) != msgp.MapType {
		return b, malformed("%s is %s, want a map", what, typeName(b))
	}
	r, err := skipValue(b, 0)
	if err != nil {
		return b, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}

// DecodeTime reads a record timestamp: an EventTime extension (fixext8 or
// ext8 of length 8, type 0), an integer of seconds, or a float of seconds,
// the forms Fluent Bit's decoder accepts. Times beyond the range of Time
// (years 1678 to 2262) saturate to its limits rather than wrap around; NaN
// is an error wrapping ErrMalformed.
func DecodeTime(b []byte) (Time, []byte, error) {
	if len(b) >= 10 && b[0] == 0xd7 && b[1] == eventTimeExtType {
		return eventTime(b[2:10]), b[10:], nil
	}
	if len(b) >= 11 && b[0] == 0xc7 && b[1] == 8 && b[2] == eventTimeExtType {
		return eventTime(b[3:11]), b[11:], nil
	}
	switch msgp.NextType(b) {
	case msgp.IntType:
		sec, r, err := msgp.ReadInt64Bytes(b)
		if err != nil {
			return 0, b, malformed("time: %v", err)
		}
		return timeOf(sec, 0), r, nil
	case msgp.UintType:
		u, r, err := msgp.ReadUint64Bytes(b)
		if err != nil {
			return 0, b, malformed("time: %v", err)
		}
		return timeOf(int64(min(u, math.MaxInt64)), 0), r, nil
	case msgp.Float64Type, msgp.Float32Type:
		f, r, err := msgp.ReadFloat64Bytes(b)
		if err != nil {
			return 0, b, malformed("time: %v", err)
		}
		if math.IsNaN(f) {
			return 0, b, malformed("time is NaN")
		}
		// Clamp to a range that converts to int64 and still saturates.
		f = max(-1e11, min(f, 1e11))
		// Split before scaling: f*1e9 would round to a multiple of 256 ns
		// for present-day times, while f-sec is exact.
		sec := math.Floor(f)
		return timeOf(int64(sec), int64(math.Round((f-sec)*1e9))), r, nil
	}
	return 0, b, malformed("time is %s, want EventTime, integer or float", typeName(b))
}

// timeOf returns sec seconds plus nsec nanoseconds (0 <= nsec <= 1e9),
// saturated to the range of Time.
func timeOf(sec, nsec int64) Time {
	if sec >= 0 {
		if sec > (math.MaxInt64-nsec)/1e9 {
			return math.MaxInt64
		}
		return Time(sec*1e9 + nsec)
	}
	// Compute (sec+1)*1e9 - (1e9-nsec) so that no step leaves int64. Go's
	// division of a negative number rounds up, which is the bound we need.
	hi := sec + 1
	if hi < (math.MinInt64+(1e9-nsec))/1e9 {
		return math.MinInt64
	}
	return Time(hi*1e9 + (nsec - 1e9))
}

// eventTime decodes the 8 data bytes of an EventTime. The seconds are
// unsigned, as in the forward protocol; nanoseconds of a second or more are
// carried into the seconds rather than rejected.
func eventTime(b []byte) Time {
	sec := binary.BigEndian.Uint32(b[0:4])
	nsec := binary.BigEndian.Uint32(b[4:8])
	return Time(int64(sec)*1e9 + int64(nsec))
}

// typeName names the msgpack type at the start of b for error messages.
func typeName(b []byte) string {
	if len(b) == 0 {
		return "end of data"
	}
	return msgp.NextType(b).String()
}

// Iterator walks the events of a chunk without copying. The zero value is
// an empty iterator.
//
//	it := record.NewIterator(chunk.Data)
//	for it.Next() {
//		ev := it.Event()
//	}
//	if err := it.Err(); err != nil { ... }
type Iterator struct {
	rest []byte
	ev   Event
	err  error
	n    int // events decoded so far
}

// NewIterator returns an iterator over the events encoded in data.
func NewIterator(data []byte) Iterator { return Iterator{rest: data} }

// Next advances to the next event. It returns false at the end of the data
// or on a decoding error (see Err); the iterator stops at the first error.
func (it *Iterator) Next() bool {
	if it.err != nil || len(it.rest) == 0 {
		return false
	}
	ev, rest, err := DecodeEvent(it.rest)
	if err != nil {
		it.err = fmt.Errorf("record %d: %w", it.n, err)
		return false
	}
	it.ev, it.rest = ev, rest
	it.n++
	return true
}

// Event returns the current event. The pointer is valid until Next.
func (it *Iterator) Event() *Event { return &it.ev }

// Index is the 0-based position of the current event in the chunk, -1
// before the first call to Next.
func (it *Iterator) Index() int { return it.n - 1 }

// Err returns the decoding error that stopped the iteration, if any. It
// names the 0-based position of the bad record and wraps ErrMalformed.
func (it *Iterator) Err() error { return it.err }

// Count validates data as a sequence of events and returns how many there
// are. On error it returns the number of valid events before the bad one.
func Count(data []byte) (int, error) {
	it := NewIterator(data)
	for it.Next() {
	}
	return it.n, it.Err()
}
