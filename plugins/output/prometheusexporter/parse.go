package prometheusexporter

import (
	"github.com/sluice-logs/sluice/internal/metricrecord"
)

// sample is one metric record rendered for the exposition format: name and
// typ alias the record; labels and value are rendered into the scratch
// buffer of the parser.
type sample struct {
	name, typ []byte
	labels    []byte // `k="v",k2="v2"`, sorted by name; empty for none
	value     []byte // e.g. 42, 0.5, +Inf
}

// parser renders metric records (read by metricrecord.Parser); its buffers
// are reused from record to record, so one parser serves one goroutine.
type parser struct {
	mp     metricrecord.Parser
	ms     metricrecord.Sample
	buf    []byte
	reason string // why the last parse failed
}

func newParser(extra []metricrecord.Label) parser {
	return parser{mp: metricrecord.Parser{Extra: extra}}
}

// parse decodes body, a record's msgpack map, into s. It reports false, with
// p.reason set, when body is not a metric record. s aliases body and p's
// buffers until the next parse.
func (p *parser) parse(body []byte, s *sample) bool {
	if !p.mp.Parse(body, &p.ms) {
		p.reason = p.mp.Reason
		return false
	}
	s.name, s.typ = p.ms.Name, p.ms.Type
	b := p.buf[:0]
	for i, l := range p.ms.Labels {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, l.Name...)
		b = append(b, `="`...)
		b = appendEscaped(b, l.Value)
		b = append(b, '"')
	}
	labelsEnd := len(b)
	b = p.ms.AppendValueText(b)
	p.buf = b
	s.labels, s.value = b[:labelsEnd], b[labelsEnd:]
	return true
}

// appendEscaped escapes \, " and newline, as label values require.
func appendEscaped(b, s []byte) []byte {
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
