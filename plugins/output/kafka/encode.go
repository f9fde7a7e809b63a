package kafka

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// format is the message value encoding.
type format uint8

const (
	formatJSON format = iota
	formatMsgpack
	formatRaw
)

// timeFormat is how the record time is written under timestamp_key.
type timeFormat uint8

const (
	timeDouble timeFormat = iota
	timeISO8601
	timeISO8601Nano
)

// errNoRawKey is the per-record failure of format raw on a record without
// a string raw_log_key: it can never be delivered.
var errNoRawKey = errors.New("record has no string value under raw_log_key")

// encoder writes the message value of a record, as Fluent Bit's
// produce_message does: json and msgpack add the record time under
// timestamp_key in front of the record's own keys; raw sends one string
// field as it is. It never builds a map: JSON is written straight from the
// msgpack body with record.AppendJSON.
type encoder struct {
	format       format
	timeFormat   timeFormat
	timestampKey string
	rawKey       string
}

// appendValue appends the message value of ev to dst.
func (e *encoder) appendValue(dst []byte, ev *record.Event) ([]byte, error) {
	switch e.format {
	case formatRaw:
		v, ok := record.Lookup(ev.Body, e.rawKey)
		if !ok {
			return dst, errNoRawKey
		}
		s, ok := record.StringValue(v)
		if !ok {
			return dst, errNoRawKey
		}
		return append(dst, s...), nil
	case formatMsgpack:
		n, entries, err := msgp.ReadMapHeaderBytes(ev.Body)
		if err != nil {
			return dst, fmt.Errorf("record body: %w", err)
		}
		dst = msgp.AppendMapHeader(dst, n+1)
		dst = msgp.AppendString(dst, e.timestampKey)
		dst = e.appendTimeMsgpack(dst, ev.Time)
		return append(dst, entries...), nil
	}
	// JSON: {"<timestamp_key>":<time>, then the body's own JSON without
	// its opening brace.
	mark := len(dst)
	dst = append(dst, '{')
	dst = record.AppendJSONString(dst, []byte(e.timestampKey))
	dst = append(dst, ':')
	dst = e.appendTimeJSON(dst, ev.Time)
	body := len(dst)
	dst, _, err := record.AppendJSON(dst, ev.Body)
	if err != nil {
		return dst[:mark], fmt.Errorf("record body: %w", err)
	}
	if dst[body+1] == '}' { // empty body: "{}" becomes "}"
		dst[body] = '}'
		return dst[:body+1], nil
	}
	dst[body] = ','
	return dst, nil
}

func (e *encoder) appendTimeMsgpack(dst []byte, t record.Time) []byte {
	if e.timeFormat == timeDouble {
		return msgp.AppendFloat64(dst, t.Float())
	}
	// Written as a string; the time text never needs escaping.
	var scratch [40]byte
	s := e.appendTimeText(scratch[:0], t)
	return msgp.AppendStringFromBytes(dst, s)
}

func (e *encoder) appendTimeJSON(dst []byte, t record.Time) []byte {
	if e.timeFormat == timeDouble {
		// As record.AppendJSON writes floats: shortest exact digits, and
		// ".0" for a whole second. A record time is never NaN, infinite or
		// below 1e-4 s after the epoch bar 0, which "%.1f" handles.
		f := t.Float()
		if f == math.Trunc(f) {
			return strconv.AppendFloat(dst, f, 'f', 1, 64)
		}
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	dst = append(dst, '"')
	dst = e.appendTimeText(dst, t)
	return append(dst, '"')
}

// appendTimeText writes Fluent Bit's ISO 8601 forms: "%Y-%m-%dT%H:%M:%S"
// then ".%06luZ" (iso8601) or ".%09luZ" (iso8601_ns), in UTC.
func (e *encoder) appendTimeText(dst []byte, t record.Time) []byte {
	layout := "2006-01-02T15:04:05.000000Z"
	if e.timeFormat == timeISO8601Nano {
		layout = "2006-01-02T15:04:05.000000000Z"
	}
	return t.Std().AppendFormat(dst, layout)
}
