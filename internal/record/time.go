package record

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/tinylib/msgp/msgp"
)

// eventTimeExtType is the msgpack extension type of the forward protocol's
// EventTime (Fluentd forward protocol v1, "EventTime Ext Format").
const eventTimeExtType = 0

// Time is a record timestamp in nanoseconds since the Unix epoch. It fits
// every timestamp between 1678 and 2262, which covers log data.
type Time int64

// FromTime converts a time.Time to a record Time.
func FromTime(t time.Time) Time { return Time(t.UnixNano()) }

// Now is the current time as a record Time.
func Now() Time { return FromTime(time.Now()) }

// Unix returns the seconds and nanoseconds parts of t.
func (t Time) Unix() (sec int64, nsec int64) {
	sec = int64(t) / 1e9
	nsec = int64(t) % 1e9
	if nsec < 0 {
		sec--
		nsec += 1e9
	}
	return sec, nsec
}

// Std converts t to a time.Time in UTC.
func (t Time) Std() time.Time {
	sec, nsec := t.Unix()
	return time.Unix(sec, nsec).UTC()
}

// Float returns t as floating-point seconds, the form of Fluent Bit's
// json_date_format "double".
func (t Time) Float() float64 { return float64(t) / 1e9 }

// appendEventTime appends t as a msgpack fixext8 EventTime. EventTime
// seconds are an unsigned 32-bit number (1970 to 2106), so other times are
// written as float64 seconds instead, the other form Fluent Bit's decoder
// accepts; that keeps them to about a microsecond rather than wrapping them
// around to a wrong date.
func appendEventTime(dst []byte, t Time) []byte {
	sec, nsec := t.Unix()
	if sec < 0 || sec > math.MaxUint32 {
		return msgp.AppendFloat64(dst, t.Float())
	}
	var b [10]byte
	b[0] = 0xd7 // fixext 8
	b[1] = eventTimeExtType
	binary.BigEndian.PutUint32(b[2:6], uint32(sec))
	binary.BigEndian.PutUint32(b[6:10], uint32(nsec))
	return append(dst, b[:]...)
}
