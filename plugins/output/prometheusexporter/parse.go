package prometheusexporter

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// sample is one metric record, decoded: name and typ alias the record;
// labels and value are rendered in the exposition format into the scratch
// buffer parse was given.
type sample struct {
	name, typ []byte
	labels    []byte // `k="v",k2="v2"`, sorted by name; empty for none
	value     []byte // e.g. 42, 0.5, +Inf
}

// label is one label pair, aliasing the record or the configuration.
type label struct{ name, value []byte }

// parser decodes metric records; its buffers are reused from record to
// record, so one parser serves one goroutine.
type parser struct {
	extra  []label // add_label, applied to every sample
	pairs  []label
	buf    []byte
	reason string // why the last parse failed
}

// parse decodes body, a record's msgpack map, into s. It reports false, with
// p.reason set, when body is not a metric record. s aliases body and p's
// buffers until the next parse.
func (p *parser) parse(body []byte, s *sample) bool {
	name, ok := stringField(body, "metric")
	if !ok || !validName(name, true) {
		p.reason = `no "metric" field holding a valid Prometheus metric name`
		return false
	}
	s.name = name
	s.typ, _ = stringField(body, "type")

	p.pairs = p.pairs[:0]
	if v, ok := record.Lookup(body, "labels"); ok && msgp.NextType(v) != msgp.NilType {
		bad := false
		err := record.MapEntries(v, func(k, val []byte) bool {
			sv, ok := record.StringValue(val)
			if !ok || !validName(k, false) {
				bad = true
				return false
			}
			p.pairs = append(p.pairs, label{k, sv})
			return true
		})
		if err != nil || bad {
			p.reason = `"labels" is not a map of valid label names to strings`
			return false
		}
	}
	// add_label wins over a record's label of the same name.
	for _, e := range p.extra {
		p.pairs = slices.DeleteFunc(p.pairs, func(l label) bool { return string(l.name) == string(e.name) })
		p.pairs = append(p.pairs, e)
	}
	// A label may appear once in a series, or the scrape fails: of a
	// record's duplicate keys the last wins, as in JSON readers.
	slices.SortStableFunc(p.pairs, func(a, b label) int { return compareBytes(a.name, b.name) })
	kept := p.pairs[:0]
	for i, l := range p.pairs {
		if i+1 < len(p.pairs) && string(p.pairs[i+1].name) == string(l.name) {
			continue
		}
		kept = append(kept, l)
	}
	p.pairs = kept

	b := p.buf[:0]
	for i, l := range p.pairs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, l.name...)
		b = append(b, `="`...)
		b = appendEscaped(b, l.value)
		b = append(b, '"')
	}
	labelsEnd := len(b)
	v, ok := record.Lookup(body, "value")
	if !ok {
		p.reason = `no "value" field`
		return false
	}
	if b, ok = appendValue(b, v); !ok {
		p.reason = `"value" is not a number`
		return false
	}
	p.buf = b
	s.labels, s.value = b[:labelsEnd], b[labelsEnd:]
	return true
}

func compareBytes(a, b []byte) int {
	switch {
	case string(a) < string(b):
		return -1
	case string(a) > string(b):
		return 1
	}
	return 0
}

func stringField(body []byte, key string) ([]byte, bool) {
	v, ok := record.Lookup(body, key)
	if !ok {
		return nil, false
	}
	return record.StringValue(v)
}

// appendValue renders a msgpack number (or boolean, as 0/1) as the
// exposition format writes sample values.
func appendValue(b, v []byte) ([]byte, bool) {
	switch msgp.NextType(v) {
	case msgp.IntType:
		i, _, err := msgp.ReadInt64Bytes(v)
		return strconv.AppendInt(b, i, 10), err == nil
	case msgp.UintType:
		u, _, err := msgp.ReadUint64Bytes(v)
		return strconv.AppendUint(b, u, 10), err == nil
	case msgp.Float64Type, msgp.Float32Type:
		f, _, err := msgp.ReadFloat64Bytes(v)
		if err != nil {
			return b, false
		}
		switch {
		case math.IsInf(f, 1):
			return append(b, "+Inf"...), true
		case math.IsInf(f, -1):
			return append(b, "-Inf"...), true
		case math.IsNaN(f):
			return append(b, "NaN"...), true
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64), true
	}
	return b, false
}

// validName reports whether s is a Prometheus metric name
// ([a-zA-Z_:][a-zA-Z0-9_:]*) or, without colons, a label name.
func validName(s []byte, colon bool) bool {
	if len(s) == 0 {
		return false
	}
	for i, c := range s {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(colon && c == ':') || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// appendEscaped escapes \, " and newline, as label values require, and
// replaces bytes that are not UTF-8 with U+FFFD: the text format is UTF-8,
// and one invalid label value fails the whole scrape.
func appendEscaped(b, s []byte) []byte {
	if !utf8.Valid(s) {
		s = bytes.ToValidUTF8(s, []byte("\uFFFD"))
	}
	for _, c := range s {
		switch c {
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
