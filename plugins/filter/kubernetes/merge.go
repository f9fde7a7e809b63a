package kubernetes

import (
	"bytes"

	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// appendRecord writes ev to out with the kubernetes map kube and the
// kubernetes_namespace map ns appended (either may be nil), its log field
// merged first with Merge_Log, parsed by p (nil: as JSON). scratch is a
// reusable buffer for the parsed log.
func (f *Filter) appendRecord(out *record.Builder, ev *record.Event, kube, ns []byte, p *parser.Parser, scratch *[]byte) {
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
	merged := false
	if f.mergeLog {
		if m, kind, t, ok := f.parseLog(ev, p, scratch); ok {
			mark := out.Mark()
			out.BeginEvent(t, ev.Meta)
			if merged = f.appendMerged(out, ev.Body, int(n), extra, m, kind); !merged {
				out.Rollback(mark)
			}
		}
	}
	if !merged {
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
	logParsed logValue = iota + 1 // a string parsed into a map (in scratch)
	logMap                        // already a map
)

// parseLog finds the record's log field and returns the map to merge, its
// kind and the record's time: the parsed one when p read a time, the
// record's own otherwise. It reports false when there is nothing to merge:
// no log field, a string that p (or, without p, JSON) does not parse into
// a map, or another type.
func (f *Filter) parseLog(ev *record.Event, p *parser.Parser, scratch *[]byte) ([]byte, logValue, record.Time, bool) {
	logRaw, ok := record.Lookup(ev.Body, "log")
	if !ok {
		return nil, 0, 0, false
	}
	switch msgp.NextType(logRaw) {
	case msgp.MapType:
		return logRaw, logMap, ev.Time, true
	case msgp.StrType:
	default:
		return nil, 0, 0, false
	}
	s, _ := record.StringValue(logRaw)
	if p != nil {
		m, res, err := p.Parse((*scratch)[:0], s)
		if err != nil {
			return nil, 0, 0, false
		}
		*scratch = m
		t := ev.Time
		if res.HasTime {
			t = res.Time
		}
		return m, logParsed, t, true
	}
	if t := bytes.TrimLeft(s, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, 0, 0, false // not JSON: skip the parser and its error
	}
	m, err := record.AppendJSONAsMsgpack((*scratch)[:0], s)
	if err != nil || msgp.NextType(m) != msgp.MapType {
		return nil, 0, 0, false
	}
	*scratch = m
	return m, logParsed, ev.Time, true
}

// appendMerged writes the header and entries of body with the map merged
// (of the given kind) merged in, as Fluent Bit's pack_map_content does: its
// keys follow the record's (under Merge_Log_Key when set; trailing newlines
// of string values removed with Merge_Log_Trim, for parsed strings only),
// and the log field itself is dropped when Keep_Log is off. It returns
// false, having written only part of the record, when the body has keys
// that are not strings; the caller then rolls back.
func (f *Filter) appendMerged(out *record.Builder, body []byte, n, extra int, merged []byte, kind logValue) bool {
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
