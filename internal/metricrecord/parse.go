package metricrecord

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/record"
)

// Label is one label pair. Its bytes alias the record or the configuration.
type Label struct{ Name, Value []byte }

// Sample is one metric record, decoded. Name, Type and the Labels alias the
// record (and the Parser's extra labels) until the next Parse.
type Sample struct {
	Name, Type []byte
	// Labels are sorted by name, with the Parser's Extra applied; they
	// never include __name__.
	Labels []Label
	// Value is the value as a float64 (integers above 2^53 are rounded;
	// AppendValueText writes them exactly).
	Value float64
	raw   []byte // the msgpack value
}

// AppendValueText appends the value as the Prometheus text format writes
// it: integers exactly, floats in the shortest form, +Inf, -Inf, NaN.
func (s *Sample) AppendValueText(b []byte) []byte {
	switch msgp.NextType(s.raw) {
	case msgp.IntType:
		i, _, _ := msgp.ReadInt64Bytes(s.raw)
		return strconv.AppendInt(b, i, 10)
	case msgp.UintType:
		u, _, _ := msgp.ReadUint64Bytes(s.raw)
		return strconv.AppendUint(b, u, 10)
	}
	switch {
	case math.IsInf(s.Value, 1):
		return append(b, "+Inf"...)
	case math.IsInf(s.Value, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(s.Value):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, s.Value, 'g', -1, 64)
}

// Parser decodes metric records. Its buffers are reused from record to
// record, so one Parser serves one goroutine.
type Parser struct {
	// Extra labels (add_label) are added to every sample, replacing a
	// record's label of the same name.
	Extra []Label
	// Reason says why the last Parse returned false.
	Reason string
	pairs  []Label
}

// Parse decodes body, a record's msgpack map, into s. It reports false,
// with p.Reason set, when body is not a metric record.
func (p *Parser) Parse(body []byte, s *Sample) bool {
	// One pass over the record's map for the four fields (the first of a
	// repeated key wins, as with record.Lookup).
	var name, typ, labels, value []byte
	err := record.MapEntries(body, func(k, v []byte) bool {
		switch string(k) {
		case "metric":
			if name == nil {
				name = v
			}
		case "type":
			if typ == nil {
				typ = v
			}
		case "labels":
			if labels == nil {
				labels = v
			}
		case "value":
			if value == nil {
				value = v
			}
		}
		return true
	})
	if err != nil {
		p.Reason = "not a msgpack map with string keys: " + err.Error()
		return false
	}
	var ok bool
	if s.Name, ok = record.StringValue(name); name == nil || !ok || !ValidMetricName(s.Name) {
		p.Reason = `no "metric" field holding a valid Prometheus metric name`
		return false
	}
	s.Type = nil
	if typ != nil {
		s.Type, _ = record.StringValue(typ)
	}

	p.pairs = p.pairs[:0]
	if labels != nil && msgp.NextType(labels) != msgp.NilType {
		bad := false
		err := record.MapEntries(labels, func(k, val []byte) bool {
			sv, ok := record.StringValue(val)
			if !ok || !ValidLabelName(k) || string(k) == "__name__" || !utf8.Valid(sv) {
				bad = true
				return false
			}
			p.pairs = append(p.pairs, Label{k, sv})
			return true
		})
		if err != nil || bad {
			p.Reason = `"labels" is not a map of valid label names (not __name__) to UTF-8 strings`
			return false
		}
	}
	// add_label wins over a record's label of the same name.
	for _, e := range p.Extra {
		p.pairs = slices.DeleteFunc(p.pairs, func(l Label) bool { return string(l.Name) == string(e.Name) })
		p.pairs = append(p.pairs, e)
	}
	slices.SortFunc(p.pairs, func(a, b Label) int { return compareBytes(a.Name, b.Name) })
	for i := 1; i < len(p.pairs); i++ {
		if string(p.pairs[i].Name) == string(p.pairs[i-1].Name) {
			p.Reason = fmt.Sprintf("label %q appears twice in \"labels\"", p.pairs[i].Name)
			return false
		}
	}
	s.Labels = p.pairs

	if value == nil {
		p.Reason = `no "value" field`
		return false
	}
	if s.Value, ok = number(value); !ok {
		p.Reason = `"value" is not a number`
		return false
	}
	s.raw = value
	return true
}

// number reads a msgpack integer or float.
func number(v []byte) (float64, bool) {
	var err error
	switch msgp.NextType(v) {
	case msgp.IntType:
		var i int64
		i, _, err = msgp.ReadInt64Bytes(v)
		return float64(i), err == nil
	case msgp.UintType:
		var u uint64
		u, _, err = msgp.ReadUint64Bytes(v)
		return float64(u), err == nil
	case msgp.Float64Type, msgp.Float32Type:
		var f float64
		f, _, err = msgp.ReadFloat64Bytes(v)
		return f, err == nil
	}
	return 0, false
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

// ExtraLabels turns add_label values (pairs of words) into Labels, or
// says which one is not a label name and value.
func ExtraLabels(words [][]string) ([]Label, error) {
	var out []Label
	for _, w := range words {
		if len(w) != 2 || !ValidLabelName([]byte(w[0])) || w[0] == "__name__" || !utf8.ValidString(w[1]) {
			return nil, fmt.Errorf("%q is not a label name and value; write e.g. add_label app sluice", w)
		}
		out = append(out, Label{[]byte(w[0]), []byte(w[1])})
	}
	return out, nil
}

// ValidMetricName reports whether s is a Prometheus metric name,
// [a-zA-Z_:][a-zA-Z0-9_:]*.
func ValidMetricName(s []byte) bool { return validName(s, true) }

// ValidLabelName reports whether s is a Prometheus label name,
// [a-zA-Z_][a-zA-Z0-9_]*.
func ValidLabelName(s []byte) bool { return validName(s, false) }

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
