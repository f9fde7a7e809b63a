package file

import (
	"strconv"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/plugins/output/stdout"
	"github.com/tinylib/msgp/msgp"
)

// format is the layout of the file content (Fluent Bit's Format values).
type format uint8

const (
	formatOutFile  format = iota // tag: [1700000000.000000000, {"k":"v"}]
	formatPlain                  // {"k":"v"}
	formatCSV                    // 1700000000.000000000,"v1","v2"
	formatLTSV                   // "time":1700000000.000000	"k1":"v1"
	formatTemplate               // Template with {key} placeholders
	formatMsgpack                // the chunk's msgpack events, as they are
)

func parseFormat(s string) format {
	switch s {
	case "plain":
		return formatPlain
	case "csv":
		return formatCSV
	case "ltsv":
		return formatLTSV
	case "template":
		return formatTemplate
	case "msgpack":
		return formatMsgpack
	}
	return formatOutFile
}

// appendOutFile writes Fluent Bit's default out_file line:
// `tag: [seconds.nanoseconds, {json}]`.
func appendOutFile(dst []byte, tag string, ev *record.Event) ([]byte, error) {
	dst = append(dst, tag...)
	dst = append(dst, ": ["...)
	dst = appendSecNsec(dst, ev.Time)
	dst = append(dst, ", "...)
	dst, _, err := record.AppendJSON(dst, ev.Body)
	if err != nil {
		return dst, err
	}
	return append(dst, "]\n"...), nil
}

// appendPlain writes the body as one JSON line.
func appendPlain(dst []byte, ev *record.Event) ([]byte, error) {
	dst, _, err := record.AppendJSON(dst, ev.Body)
	if err != nil {
		return dst, err
	}
	return append(dst, '\n'), nil
}

// appendCSV writes the time and every value of the body, separated by
// delim and printed as msgpack-c prints them (strings quoted, unescaped).
// Like Fluent Bit, it writes nothing for an empty body.
func appendCSV(dst []byte, ev *record.Event, delim string) ([]byte, error) {
	n, rest, err := msgp.ReadMapHeaderBytes(ev.Body)
	if err != nil || n == 0 {
		return dst, err
	}
	dst = appendSecNsec(dst, ev.Time)
	for i := uint32(0); i < n; i++ {
		if rest, err = msgp.Skip(rest); err != nil { // the key
			return dst, err
		}
		dst = append(dst, delim...)
		if dst, rest, err = stdout.AppendPrinted(dst, rest); err != nil {
			return dst, err
		}
	}
	return append(dst, '\n'), nil
}

// appendCSVHeader writes the column names line of csv_column_names:
// "timestamp" and the keys of the body, printed as msgpack-c prints them.
func appendCSVHeader(dst []byte, ev *record.Event, delim string) ([]byte, error) {
	n, rest, err := msgp.ReadMapHeaderBytes(ev.Body)
	if err != nil || n == 0 {
		return dst, err
	}
	dst = append(dst, "timestamp"...)
	for i := uint32(0); i < n; i++ {
		dst = append(dst, delim...)
		if dst, rest, err = stdout.AppendPrinted(dst, rest); err != nil {
			return dst, err
		}
		if rest, err = msgp.Skip(rest); err != nil { // the value
			return dst, err
		}
	}
	return append(dst, '\n'), nil
}

// appendLTSV writes `"time"<label>seconds` and every `key<label>value` of
// the body, separated by delim, as Fluent Bit's ltsv_output does. Like
// Fluent Bit, it writes nothing for an empty body.
func appendLTSV(dst []byte, ev *record.Event, delim, label string) ([]byte, error) {
	n, rest, err := msgp.ReadMapHeaderBytes(ev.Body)
	if err != nil || n == 0 {
		return dst, err
	}
	dst = append(dst, `"time"`...)
	dst = append(dst, label...)
	dst = stdout.AppendCFloat(dst, timeDouble(ev.Time))
	for i := uint32(0); i < n; i++ {
		dst = append(dst, delim...)
		if dst, rest, err = stdout.AppendPrinted(dst, rest); err != nil {
			return dst, err
		}
		dst = append(dst, label...)
		if dst, rest, err = stdout.AppendPrinted(dst, rest); err != nil {
			return dst, err
		}
	}
	return append(dst, '\n'), nil
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

// timeDouble is Fluent Bit's flb_time_to_double, computed the same way so
// that "%f" prints the same digits.
func timeDouble(t record.Time) float64 {
	sec, nsec := t.Unix()
	return float64(sec) + float64(nsec)/1e9
}
