package stdout

import (
	"math"
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/record"
)

// format is the layout of the printed records (Fluent Bit's Format values).
type format uint8

const (
	formatMsgpack    format = iota // [0] tag: [[1700000000.000000000, {}], {"k"=>"v"}]
	formatJSON                     // [{"date":1700000000.0,"k":"v"},...] once per chunk
	formatJSONLines                // {"date":1700000000.0,"k":"v"} per line
	formatJSONStream               // {...}{...} then one newline per chunk
)

func parseFormat(s string) format {
	switch s {
	case "json":
		return formatJSON
	case "json_lines":
		return formatJSONLines
	case "json_stream":
		return formatJSONStream
	}
	return formatMsgpack
}

// dateFormat is how the JSON formats write the record time
// (json_date_format, Fluent Bit's flb_pack_to_json_date_type).
type dateFormat uint8

const (
	dateDouble           dateFormat = iota // 1700000000.123457
	dateEpoch                              // 1700000000
	dateEpochMillis                        // 1700000000123
	dateISO8601                            // "2023-11-14T22:13:20.123456Z"
	dateJavaSQLTimestamp                   // "2023-11-14 22:13:20.123456"
)

func parseDateFormat(s string) dateFormat {
	switch s {
	case "epoch":
		return dateEpoch
	case "epoch_ms", "epoch_millis", "epoch_milliseconds":
		return dateEpochMillis
	case "iso8601":
		return dateISO8601
	case "java_sql_timestamp":
		return dateJavaSQLTimestamp
	}
	return dateDouble
}

// dateKeyDisabled reports whether a json_date_key value turns the key off;
// Fluent Bit tests it with flb_utils_bool, whose false values these are.
func dateKeyDisabled(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "false", "off", "no":
		return true
	}
	return false
}

// appendDate writes t as a JSON value in format f.
func appendDate(dst []byte, t record.Time, f dateFormat) []byte {
	sec, nsec := t.Unix()
	switch f {
	case dateEpoch:
		return strconv.AppendInt(dst, sec, 10)
	case dateEpochMillis:
		return strconv.AppendInt(dst, sec*1000+nsec/1e6, 10)
	case dateISO8601:
		dst = append(dst, '"')
		dst = t.Std().AppendFormat(dst, "2006-01-02T15:04:05")
		dst = appendMicros(dst, nsec)
		return append(dst, 'Z', '"')
	case dateJavaSQLTimestamp:
		dst = append(dst, '"')
		dst = t.Std().AppendFormat(dst, "2006-01-02 15:04:05")
		dst = appendMicros(dst, nsec)
		return append(dst, '"')
	}
	return appendDouble(dst, timeDouble(t))
}

// appendMicros writes ".uuuuuu", the truncated microseconds Fluent Bit puts
// after ISO 8601 and SQL timestamps.
func appendMicros(dst []byte, nsec int64) []byte {
	us := nsec / 1000
	var b [7]byte
	b[0] = '.'
	for i := 6; i > 0; i-- {
		b[i] = byte('0' + us%10)
		us /= 10
	}
	return append(dst, b[:]...)
}

// timeDouble is Fluent Bit's flb_time_to_double: seconds plus nanoseconds
// as one float64, computed the same way so the digits match.
func timeDouble(t record.Time) float64 {
	sec, nsec := t.Unix()
	return float64(sec) + float64(nsec)/1e9
}

// appendDouble writes f as Fluent Bit's JSON encoder writes a float
// (flb_pack.c msgpack2json): "%.1f" for integral values, "%.16g" otherwise,
// which keeps microseconds of a present-day time.
func appendDouble(dst []byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return strconv.AppendFloat(dst, f, 'f', 1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', 16, 64)
}

// appendMsgpackEvent writes one event in Fluent Bit's msgpack (human) form,
// as out_stdout prints it:
//
//	[0] dummy.0: [[1700000000.123456789, {}], {"message"=>"dummy"}]
func appendMsgpackEvent(dst []byte, index int, tag string, ev *record.Event) ([]byte, error) {
	dst = append(dst, '[')
	dst = strconv.AppendInt(dst, int64(index), 10)
	dst = append(dst, "] "...)
	dst = append(dst, tag...)
	dst = append(dst, ": [["...)
	dst = appendSecNsec(dst, ev.Time)
	dst = append(dst, ", "...)
	var err error
	if dst, _, err = AppendPrinted(dst, ev.Meta); err != nil {
		return dst, err
	}
	dst = append(dst, "], "...)
	if dst, _, err = AppendPrinted(dst, ev.Body); err != nil {
		return dst, err
	}
	return append(dst, "]\n"...), nil
}

// appendSecNsec writes t as seconds, a dot and nine digits of nanoseconds.
func appendSecNsec(dst []byte, t record.Time) []byte {
	sec, nsec := t.Unix()
	dst = strconv.AppendInt(dst, sec, 10)
	var b [10]byte
	b[0] = '.'
	for i := 9; i > 0; i-- {
		b[i] = byte('0' + nsec%10)
		nsec /= 10
	}
	return append(dst, b[:]...)
}

// appendJSONRecord writes the body of ev as a JSON object, with the date
// key first when dateKey (the quoted key and a colon) is set, as Fluent
// Bit's flb_pack_msgpack_to_json_format does.
func appendJSONRecord(dst []byte, ev *record.Event, dateKey []byte, date dateFormat) ([]byte, error) {
	if dateKey == nil {
		out, _, err := record.AppendJSON(dst, ev.Body)
		return out, err
	}
	dst = append(dst, '{')
	dst = append(dst, dateKey...)
	dst = appendDate(dst, ev.Time, date)
	// Append the body object and splice it in: its opening brace becomes
	// the comma after the date, or the closing brace when it is empty.
	at := len(dst)
	dst, _, err := record.AppendJSON(dst, ev.Body)
	if err != nil {
		return dst, err
	}
	if dst[at+1] == '}' {
		dst[at] = '}'
		return dst[:at+1], nil
	}
	dst[at] = ','
	return dst, nil
}
