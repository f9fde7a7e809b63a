package awsrecord

import (
	"github.com/sluice-logs/sluice/internal/record"
)

// Format serialises events as Fluent Bit's kinesis_firehose,
// kinesis_streams and s3 outputs do. The zero value writes each record's
// body as one line of JSON.
type Format struct {
	// LogKey, when set, sends only the value of this top-level key: a
	// string as its bytes, any other value as JSON (Fluent Bit's log_key).
	// TimeKey is not added then, as in Fluent Bit.
	LogKey string
	// DataKeys, when set (and LogKey is not), keeps only these top-level
	// keys of the record (the data_keys of AWS's Go plugins).
	DataKeys []string
	// TimeKey, when set, adds the event time under this key, as
	// AppendTime writes it.
	TimeKey string
	// AppendTime appends the JSON value of the time under TimeKey (a
	// quoted string or a number). Required when TimeKey is set.
	AppendTime func(dst []byte, t record.Time) []byte
	// NoNewline leaves the record without its terminating newline.
	NoNewline bool
}

// Skip says why Append wrote nothing for an event.
type Skip uint8

// The reasons an event is not sent.
const (
	// NotSkipped: the event was written.
	NotSkipped Skip = iota
	// SkipNoLogKey: the record has no LogKey.
	SkipNoLogKey
	// SkipEmpty: the record serialises to nothing (an empty log_key
	// string, or no data_keys present).
	SkipEmpty
)

// String describes the reason for logs.
func (s Skip) String() string {
	switch s {
	case SkipNoLogKey:
		return "record lacks log_key"
	case SkipEmpty:
		return "record is empty after log_key/data_keys"
	}
	return "not skipped"
}

// Append appends ev serialised by f to dst. When it returns a Skip other
// than NotSkipped, dst is returned unchanged. ev must be a decoded event
// (its Body validated), so serialisation cannot fail.
func (f *Format) Append(dst []byte, ev *record.Event) ([]byte, Skip) {
	start := len(dst)
	switch {
	case f.LogKey != "":
		v, ok := record.Lookup(ev.Body, f.LogKey)
		if !ok {
			return dst, SkipNoLogKey
		}
		if s, ok := record.StringValue(v); ok {
			if len(s) == 0 {
				return dst, SkipEmpty
			}
			dst = append(dst, s...)
		} else {
			out, _, err := record.AppendJSON(dst, v)
			if err != nil {
				return dst[:start], SkipEmpty
			}
			dst = out
		}
		return f.newline(dst), NotSkipped
	case len(f.DataKeys) > 0:
		dst = append(dst, '{')
		kept := 0
		record.MapEntries(ev.Body, func(k, v []byte) bool {
			if !f.isDataKey(k) {
				return true
			}
			if kept > 0 {
				dst = append(dst, ',')
			}
			dst = record.AppendJSONString(dst, k)
			dst = append(dst, ':')
			dst, _, _ = record.AppendJSON(dst, v)
			kept++
			return true
		})
		if kept == 0 && f.TimeKey == "" {
			return dst[:start], SkipEmpty
		}
		dst = append(dst, '}')
	default:
		out, _, err := record.AppendJSON(dst, ev.Body)
		if err != nil {
			return dst[:start], SkipEmpty
		}
		dst = out
	}
	if f.TimeKey != "" && len(dst) > start && dst[len(dst)-1] == '}' {
		dst = dst[:len(dst)-1]
		if len(dst)-start > 1 {
			dst = append(dst, ',')
		}
		dst = record.AppendJSONString(dst, []byte(f.TimeKey))
		dst = append(dst, ':')
		dst = f.AppendTime(dst, ev.Time)
		dst = append(dst, '}')
	}
	return f.newline(dst), NotSkipped
}

func (f *Format) newline(dst []byte) []byte {
	if f.NoNewline {
		return dst
	}
	return append(dst, '\n')
}

func (f *Format) isDataKey(k []byte) bool {
	for _, d := range f.DataKeys {
		if d == string(k) {
			return true
		}
	}
	return false
}

// StrftimeValue returns an AppendTime that writes the time as a JSON
// string formatted by layout, Fluent Bit's time_key_format.
func StrftimeValue(layout *Strftime) func([]byte, record.Time) []byte {
	return func(dst []byte, t record.Time) []byte {
		dst = append(dst, '"')
		dst = layout.Append(dst, t.Std())
		return append(dst, '"')
	}
}
