package recordstream

import (
	"fmt"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/record"
)

// Decoder turns one connection's (or datagram's) bytes into events:
// a stream of JSON objects (or arrays of objects), or text records split
// on a separator. Set the exported fields, then Feed.
type Decoder struct {
	// JSON selects JSON objects; otherwise text records split on Sep
	// become {"log": text}.
	JSON bool
	// Sep is the text separator (see ParseSeparator).
	Sep []byte
	// Max bounds one message or text record, terminated or not.
	Max int
	// SourceKey, when set, adds Source under that key to every record.
	SourceKey, Source string
	// Events holds the records decoded so far; the caller emits and
	// resets it.
	Events record.Builder

	pending []byte // bytes of an incomplete message
	scanned int    // how far pending was scanned (JSON)
	start   int    // where the incomplete JSON value starts in pending
	split   jsonSplitter
	body    []byte
}

// feed decodes data, appending complete records to d.Events. An error
// means the client sent something invalid; the records before it are in
// d.Events.
func (d *Decoder) Feed(data []byte, now record.Time) error {
	d.pending = append(d.pending, data...)
	if !d.JSON {
		// Max bounds every record, terminated or not, so that whether one
		// is refused does not depend on how the reads cut the stream.
		long := -1
		rest := splitText(d.pending, d.Sep, func(line []byte) bool {
			if len(line) > d.Max {
				long = len(line)
				return false
			}
			d.text(line, now)
			return true
		})
		if long >= 0 {
			return fmt.Errorf("a record of %d bytes is longer than Buffer_Size (%d bytes)", long, d.Max)
		}
		d.pending = append(d.pending[:0], rest...)
		if len(d.pending) > d.Max {
			return fmt.Errorf("a record longer than Buffer_Size (%d bytes) without Separator", d.Max)
		}
		return nil
	}
	for {
		start, end, done, err := d.split.next(d.pending, d.scanned)
		if err != nil {
			return err
		}
		if !done {
			d.start, d.scanned = start, end
			break
		}
		if end-start > d.Max {
			return fmt.Errorf("a JSON message longer than Buffer_Size (%d bytes)", d.Max)
		}
		if err := d.value(d.pending[start:end], now); err != nil {
			return err
		}
		d.scanned = end
	}
	// Keep only the incomplete value.
	if d.start > 0 {
		n := copy(d.pending, d.pending[d.start:])
		d.pending = d.pending[:n]
		d.scanned -= d.start
		d.start = 0
	}
	if len(d.pending) > d.Max {
		return fmt.Errorf("a JSON message longer than Buffer_Size (%d bytes)", d.Max)
	}
	return nil
}

// End handles the bytes left when the client closes: a last text record
// without separator is kept; an unfinished JSON value is an error.
func (d *Decoder) End(now record.Time) error {
	if !d.JSON {
		if len(d.pending) > 0 {
			d.text(d.pending, now)
			d.pending = d.pending[:0]
		}
		return nil
	}
	if d.split.started {
		return fmt.Errorf("connection closed in the middle of a JSON message (%d bytes)", len(d.pending))
	}
	return nil
}

// text adds {"log": line} (and the source address).
func (d *Decoder) text(line []byte, now record.Time) {
	if len(line) > 0 && line[len(line)-1] == '\r' && d.Sep[0] == '\n' {
		line = line[:len(line)-1]
	}
	n := 1
	if d.SourceKey != "" {
		n = 2
	}
	d.body = msgp.AppendMapHeader(d.body[:0], uint32(n))
	d.body = msgp.AppendString(d.body, "log")
	d.body = msgp.AppendStringFromBytes(d.body, line)
	if d.SourceKey != "" {
		d.body = msgp.AppendString(d.body, d.SourceKey)
		d.body = msgp.AppendString(d.body, d.Source)
	}
	d.Events.Append(now, nil, d.body)
}

// value adds the records of one JSON value: an object, or an array of
// objects.
func (d *Decoder) value(js []byte, now record.Time) error {
	var err error
	d.body, err = record.AppendJSONAsMsgpack(d.body[:0], js)
	if err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if msgp.NextType(d.body) == msgp.MapType {
		return d.object(d.body, now)
	}
	n, rest, err := msgp.ReadArrayHeaderBytes(d.body)
	if err != nil {
		return errNotObject
	}
	for i := uint32(0); i < n; i++ {
		if msgp.NextType(rest) != msgp.MapType {
			return fmt.Errorf("%w in the array, element %d is not one", errNotObject, i)
		}
		after, err := msgp.Skip(rest)
		if err != nil {
			return fmt.Errorf("invalid JSON: %v", err)
		}
		if err := d.object(rest[:len(rest)-len(after)], now); err != nil {
			return err
		}
		rest = after
	}
	return nil
}

func (d *Decoder) object(m []byte, now record.Time) error {
	if d.SourceKey == "" {
		d.Events.Append(now, nil, m)
		return nil
	}
	n, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	d.Events.BeginEvent(now, nil)
	d.Events.AppendMapHeader(int(n) + 1)
	d.Events.AppendRawValue(rest)
	d.Events.AppendString(d.SourceKey)
	d.Events.AppendString(d.Source)
	return nil
}

// Reset forgets an incomplete message, for a caller that decodes
// independent messages (datagrams) with one Decoder. Events is kept.
func (d *Decoder) Reset() {
	d.pending, d.scanned, d.start = d.pending[:0], 0, 0
	d.split = jsonSplitter{}
}
