package httpout

import (
	"errors"
	"strconv"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

// DateFormat is how a record's time is written into its JSON (Fluent
// Bit's json_date_format values).
type DateFormat uint8

// The date formats.
const (
	// DateDouble is seconds with microseconds, 1700000000.123456.
	DateDouble DateFormat = iota
	// DateEpoch is integer seconds.
	DateEpoch
	// DateEpochMS is integer milliseconds.
	DateEpochMS
	// DateISO8601 is 2018-05-30T09:39:52.000681Z (microseconds, UTC).
	DateISO8601
	// DateJavaSQL is 2018-05-30 09:39:52.000681, java.sql.Timestamp's form.
	DateJavaSQL
	// DateISO8601Millis is 2018-05-30T09:39:52.000Z, Elasticsearch's
	// @timestamp.
	DateISO8601Millis
)

// DateFormats are the json_date_format options, in DateFormat order.
var DateFormats = []string{"double", "epoch", "epoch_ms", "iso8601", "java_sql_timestamp"}

// ParseDateFormat returns the DateFormat named s (one of DateFormats).
func ParseDateFormat(s string) DateFormat {
	for i, n := range DateFormats {
		if n == s {
			return DateFormat(i)
		}
	}
	return DateDouble
}

// AppendDate appends t as a JSON value in format f.
func AppendDate(dst []byte, t record.Time, f DateFormat) []byte {
	sec, nsec := t.Unix()
	switch f {
	case DateEpoch:
		return strconv.AppendInt(dst, sec, 10)
	case DateEpochMS:
		return strconv.AppendInt(dst, sec*1000+nsec/1e6, 10)
	case DateISO8601:
		return time.Unix(sec, nsec).UTC().AppendFormat(append(dst, '"'), "2006-01-02T15:04:05.000000Z\"")
	case DateISO8601Millis:
		return time.Unix(sec, nsec).UTC().AppendFormat(append(dst, '"'), "2006-01-02T15:04:05.000Z\"")
	case DateJavaSQL:
		return time.Unix(sec, nsec).UTC().AppendFormat(append(dst, '"'), "2006-01-02 15:04:05.000000\"")
	}
	dst = strconv.AppendInt(dst, sec, 10)
	us := nsec / 1000
	dst = append(dst, '.')
	var b [6]byte
	for i := 5; i >= 0; i-- {
		b[i] = byte('0' + us%10)
		us /= 10
	}
	return append(dst, b[:]...)
}

// AppendRecordJSON appends the body of ev as a JSON object with, when
// dateKey is not empty, the time first under dateKey (as Fluent Bit's
// json formats put it). A body that is not a map is an error.
func AppendRecordJSON(dst []byte, ev *record.Event, dateKey string, f DateFormat) ([]byte, error) {
	if dateKey == "" {
		d, _, err := record.AppendJSON(dst, ev.Body)
		return d, err
	}
	start := len(dst)
	dst = append(dst, '{')
	dst = record.AppendJSONString(dst, []byte(dateKey))
	dst = append(dst, ':')
	dst = AppendDate(dst, ev.Time, f)
	at := len(dst)
	dst, _, err := record.AppendJSON(dst, ev.Body)
	if err != nil {
		return dst[:start], err
	}
	if dst[at] != '{' {
		return dst[:start], errNotMap
	}
	if len(dst)-at == 2 { // {}
		dst = append(dst[:at], '}')
		return dst, nil
	}
	dst[at] = ','
	return dst, nil
}

var errNotMap = errors.New("record body is not a map")
