package forward

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/tinylib/msgp/msgp"
)

// refEvent is one event as the reference decoder sees it: generic Go
// values printed with %#v, so that two decoders agree when they print the
// same.
type refEvent struct {
	time      int64
	exactTime bool // false for float times, which the decoder rounds
	meta      string
	body      string
}

// refMessage is what the reference decoder makes of a forward message.
type refMessage struct {
	tag    string
	chunk  []byte
	events []refEvent
}

// refDecode is an independent decoder of forward protocol v1 messages,
// written from the specification with msgp's generic ReadIntfBytes instead
// of the zero-copy scanner the input uses. It reports ok=false for values
// it cannot represent (maps with non-string keys); err is a protocol
// violation.
func refDecode(msg []byte, maxInflated int) (m refMessage, ok bool, err error) {
	v, rest, rerr := msgp.ReadIntfBytes(msg)
	if rerr != nil {
		return m, false, nil
	}
	if len(rest) != 0 {
		return m, false, fmt.Errorf("trailing bytes")
	}
	arr, isArr := v.([]any)
	if !isArr || len(arr) < 2 || len(arr) > 4 {
		return m, true, fmt.Errorf("not an array of 2 to 4")
	}
	tag, isStr := refString(arr[0])
	if !isStr || len(tag) == 0 {
		return m, true, fmt.Errorf("tag")
	}
	m.tag = string(tag)
	var options any
	var packed []byte
	isPacked := false
	switch second := arr[1].(type) {
	case []any: // Forward
		for _, e := range second {
			ev, err := refEntry(e)
			if err != nil {
				return m, true, err
			}
			m.events = append(m.events, ev)
		}
		if len(arr) == 4 {
			return m, true, fmt.Errorf("4 elements")
		}
		if len(arr) == 3 {
			options = arr[2]
		}
	case string, []byte: // PackedForward
		packed, _ = refString(second)
		isPacked = true
		if len(arr) == 4 {
			return m, true, fmt.Errorf("4 elements")
		}
		if len(arr) == 3 {
			options = arr[2]
		}
	default: // Message
		if len(arr) < 3 {
			return m, true, fmt.Errorf("message without record")
		}
		ev, err := refTimeBody(second, nil, arr[2])
		if err != nil {
			return m, true, err
		}
		m.events = append(m.events, ev)
		if len(arr) == 4 {
			options = arr[3]
		}
	}
	gz := false
	if options != nil {
		opts, isMap := options.(map[string]any)
		if !isMap {
			return m, true, fmt.Errorf("options not a map")
		}
		if c, has := opts["chunk"]; has {
			if m.chunk, isStr = refString(c); !isStr {
				return m, true, fmt.Errorf("chunk")
			}
		}
		if s, has := opts["size"]; has {
			if n, isInt := refInt(s); !isInt || n < 0 {
				return m, true, fmt.Errorf("size")
			}
		}
		if s, has := opts["fluent_signal"]; has {
			if n, isInt := refInt(s); !isInt || n != 0 {
				return m, true, fmt.Errorf("fluent_signal")
			}
		}
		if c, has := opts["compressed"]; has {
			s, isStr := refString(c)
			switch {
			case !isStr:
				return m, true, fmt.Errorf("compressed")
			case string(s) == "gzip":
				gz = true
			case string(s) != "text" && len(s) != 0:
				return m, true, fmt.Errorf("compressed %q", s)
			}
		}
	}
	if !isPacked {
		return m, true, nil
	}
	if gz {
		zr, err := gzip.NewReader(bytes.NewReader(packed))
		if err != nil {
			return m, true, err
		}
		if packed, err = io.ReadAll(io.LimitReader(zr, int64(maxInflated)+1)); err != nil {
			return m, true, err
		}
		if len(packed) > maxInflated {
			return m, true, fmt.Errorf("inflates too much")
		}
	}
	for len(packed) > 0 {
		e, r, err := msgp.ReadIntfBytes(packed)
		if err != nil {
			return m, false, nil
		}
		ev, err := refEntry(e)
		if err != nil {
			return m, true, err
		}
		m.events = append(m.events, ev)
		packed = r
	}
	return m, true, nil
}

// refEntry decodes a Forward entry: [time, record] or [[time, meta?, ...], record].
func refEntry(e any) (refEvent, error) {
	pair, isArr := e.([]any)
	if !isArr || len(pair) != 2 {
		return refEvent{}, fmt.Errorf("entry is not a pair")
	}
	if header, isArr := pair[0].([]any); isArr {
		if len(header) == 0 {
			return refEvent{}, fmt.Errorf("empty header")
		}
		var meta any = map[string]any{}
		if len(header) >= 2 {
			meta = header[1]
		}
		return refTimeBody(header[0], meta, pair[1])
	}
	return refTimeBody(pair[0], nil, pair[1])
}

func refTimeBody(t, meta, body any) (refEvent, error) {
	var ev refEvent
	switch t := t.(type) {
	case int64:
		ev.time, ev.exactTime = t*1e9, t > -9e9 && t < 9e9
	case uint64:
		ev.time, ev.exactTime = int64(t)*1e9, t < 9e9
	case float64:
		ev.exactTime = false
		if math.IsNaN(t) {
			return ev, fmt.Errorf("NaN time")
		}
	case float32:
		ev.exactTime = false
		if math.IsNaN(float64(t)) {
			return ev, fmt.Errorf("NaN time")
		}
	case *msgp.RawExtension:
		if t.Type != 0 || len(t.Data) != 8 {
			return ev, fmt.Errorf("extension %d is not an EventTime", t.Type)
		}
		ev.time = int64(binary.BigEndian.Uint32(t.Data))*1e9 + int64(binary.BigEndian.Uint32(t.Data[4:]))
		ev.exactTime = true
	default:
		return ev, fmt.Errorf("time is %T", t)
	}
	if meta == nil {
		meta = map[string]any{}
	}
	if _, isMap := meta.(map[string]any); !isMap {
		return ev, fmt.Errorf("metadata is %T", meta)
	}
	if _, isMap := body.(map[string]any); !isMap {
		return ev, fmt.Errorf("record is %T", body)
	}
	ev.meta, ev.body = fmt.Sprintf("%#v", meta), fmt.Sprintf("%#v", body)
	return ev, nil
}

func refString(v any) ([]byte, bool) {
	switch s := v.(type) {
	case string:
		return []byte(s), true
	case []byte:
		return s, true
	}
	return nil, false
}

func refInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}

// printed decodes a msgpack value generically and prints it as refEvent does.
func printed(b []byte) (string, bool) {
	v, _, err := msgp.ReadIntfBytes(b)
	if err != nil {
		return "", false
	}
	return fmt.Sprintf("%#v", v), true
}
