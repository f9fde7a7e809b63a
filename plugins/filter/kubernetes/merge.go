package kubernetes

import (
	"bytes"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// appendRecord writes ev to out with the kubernetes map kube and the
// kubernetes_namespace map ns appended (either may be nil), its log field
// merged first with Merge_Log. scratch is a reusable buffer for the parsed
// log.
func (f *Filter) appendRecord(out *record.Builder, ev *record.Event, kube, ns []byte, scratch *[]byte) {
	n, entries, err := msgp.ReadMapHeaderBytes(ev.Body)
	if err != nil { // cannot happen: the iterator validated the body
		out.AppendRaw(ev.Raw)
		return
	}
	extra := 0
	if kube != nil {
		extra++
	}
	if ns != nil {
		extra++
	}
	mark := out.Mark()
	out.BeginEvent(ev.Time, ev.Meta)
	if !f.mergeLog || !f.appendMerged(out, ev.Body, int(n), extra, scratch) {
		out.Rollback(mark)
		out.BeginEvent(ev.Time, ev.Meta)
		out.AppendMapHeader(int(n) + extra)
		out.AppendRawValue(entries)
	}
	if kube != nil {
		out.AppendString("kubernetes")
		out.AppendRawValue(kube)
	}
	if ns != nil {
		out.AppendString("kubernetes_namespace")
		out.AppendRawValue(ns)
	}
}

// logValue classifies the record's log field for merging.
type logValue uint8

const (
	logNone   logValue = iota // no log field, or nothing to merge
	logParsed                 // a string holding a JSON object, parsed into scratch
	logMap                    // already a map
)

// appendMerged writes the header and entries of body with its log field
// merged, as Fluent Bit's pack_map_content does: a log string that holds one
// JSON object, or a log that already is a map, has its keys added after
// the record's (under Merge_Log_Key when set; trailing newlines of string
// values removed with Merge_Log_Trim, for parsed strings only), and the log
// field itself is dropped when Keep_Log is off. It returns false, having
// written only part of the record, when there is nothing to merge or the
// body has keys that are not strings; the caller then rolls back.
func (f *Filter) appendMerged(out *record.Builder, body []byte, n, extra int, scratch *[]byte) bool {
	logRaw, ok := record.Lookup(body, "log")
	if !ok {
		return false
	}
	kind := logNone
	var merged []byte
	switch msgp.NextType(logRaw) {
	case msgp.MapType:
		kind, merged = logMap, logRaw
	case msgp.StrType:
		s, _ := record.StringValue(logRaw)
		if t := bytes.TrimLeft(s, " \t\r\n"); len(t) == 0 || t[0] != '{' {
			return false // not JSON: skip the parser and its error
		}
		m, err := record.AppendJSONAsMsgpack((*scratch)[:0], s)
		if err != nil || msgp.NextType(m) != msgp.MapType {
			return false
		}
		*scratch = m
		kind, merged = logParsed, m
	default:
		return false
	}
	mn, mentries, err := msgp.ReadMapHeaderBytes(merged)
	if err != nil {
		return false
	}
	count := n + extra
	if !f.keepLog {
		count--
	}
	switch {
	case f.mergeKey == "":
		count += int(mn)
	case mn > 0:
		count++
	}
	out.AppendMapHeader(count)
	seenLog := false
	err = record.MapEntries(body, func(k, v []byte) bool {
		if !seenLog && string(k) == "log" {
			seenLog = true
			if !f.keepLog {
				return true
			}
		}
		out.AppendStringBytes(k)
		out.AppendRawValue(v)
		return true
	})
	if err != nil {
		return false
	}
	if f.mergeKey != "" {
		if mn == 0 {
			return true
		}
		out.AppendString(f.mergeKey)
		out.AppendMapHeader(int(mn))
	}
	if kind == logMap || !f.mergeTrim {
		out.AppendRawValue(mentries)
		return true
	}
	return record.MapEntries(merged, func(k, v []byte) bool {
		out.AppendStringBytes(k)
		if s, ok := record.StringValue(v); ok && msgp.NextType(v) == msgp.StrType {
			out.AppendStringBytes(trimLogValue(s))
		} else {
			out.AppendRawValue(v)
		}
		return true
	}) == nil
}

// trimLogValue removes trailing newlines, and trailing escaped \n and \r
// sequences left by a double-encoded log, from s (Fluent Bit's
// value_trim_size). The first byte is never removed.
func trimLogValue(s []byte) []byte {
	size := len(s)
	for i := size - 1; i > 0; i-- {
		if s[i] == '\n' {
			size--
			continue
		}
		if s[i-1] == '\\' && (s[i] == 'n' || s[i] == 'r') {
			size -= 2
			i--
			continue
		}
		break
	}
	return s[:size]
}
