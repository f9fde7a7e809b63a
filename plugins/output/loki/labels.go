package loki

import (
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/record"
)

// pair is a label or a structured metadata entry: a name and a literal or
// a record accessor.
type pair struct {
	name    string
	literal string
	path    *accessor.Path
}

// parsePairs reads NAME=VALUE and bare $accessor items, comma-separated.
// Commas inside an accessor's brackets do not split.
func parsePairs(s string) ([]pair, error) {
	var out []pair
	for _, item := range splitTop(s) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, hasEq := strings.Cut(item, "=")
		if !hasEq {
			if !strings.HasPrefix(item, "$") {
				return nil, fmt.Errorf("%q is neither NAME=VALUE nor a $record accessor", item)
			}
			p, err := accessor.Parse(item)
			if err != nil {
				return nil, err
			}
			out = append(out, pair{name: labelName(lastKey(p)), path: p})
			continue
		}
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if name == "" {
			return nil, fmt.Errorf("%q has no name before =", item)
		}
		pr := pair{name: labelName(name)}
		if strings.HasPrefix(val, "$") {
			p, err := accessor.Parse(val)
			if err != nil {
				return nil, err
			}
			pr.path = p
		} else {
			pr.literal = val
		}
		out = append(out, pr)
	}
	return out, nil
}

// splitTop splits on commas outside [] brackets.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth <= 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func lastKey(p *accessor.Path) string {
	segs := p.Segments()
	for i := len(segs) - 1; i >= 0; i-- {
		if !segs[i].IsIndex {
			return segs[i].Key
		}
	}
	return p.TopKey()
}

// labelName makes s a valid Loki label name: [a-zA-Z_][a-zA-Z0-9_]*.
func labelName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

// appendPairs writes the pairs that have a value for body as JSON members
// ("name":"value"), comma-separated, and reports how many it wrote.
func appendPairs(dst []byte, pairs []pair, body []byte, n int) ([]byte, int) {
	for _, p := range pairs {
		mark := len(dst)
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = record.AppendJSONString(dst, []byte(p.name))
		dst = append(dst, ':')
		if p.path == nil {
			dst = record.AppendJSONString(dst, []byte(p.literal))
			n++
			continue
		}
		raw, ok := p.path.Get(body)
		var txt []byte
		if ok {
			txt, ok = accessor.AppendText(nil, raw)
		}
		if !ok {
			dst = dst[:mark]
			continue
		}
		dst = record.AppendJSONString(dst, txt)
		n++
	}
	return dst, n
}
