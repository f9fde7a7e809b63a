package k8saudit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// field is a compiled path into an audit event, written as the Kubernetes
// audit schema names fields: dot-separated keys, [n] for an array element,
// [*] for every element, and ['a.b'] for a key that contains dots
// (annotations['authorization.k8s.io/decision']).
type field struct {
	source string
	steps  []step
}

type step struct {
	key   string
	index int // -1: every element; >= 0: one element; unused for a key
	isArr bool
}

func parseField(s string) (field, error) {
	f := field{source: s}
	i := 0
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			continue
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return f, fmt.Errorf("field %q: unterminated [", s)
			}
			inner := s[i+1 : i+end]
			i += end + 1
			switch {
			case inner == "*":
				f.steps = append(f.steps, step{index: -1, isArr: true})
			case len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0]:
				f.steps = append(f.steps, step{key: inner[1 : len(inner)-1]})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return f, fmt.Errorf("field %q: [%s] is neither an index, [*] nor a quoted key", s, inner)
				}
				f.steps = append(f.steps, step{index: n, isArr: true})
			}
		default:
			end := i
			for end < len(s) && s[end] != '.' && s[end] != '[' {
				end++
			}
			f.steps = append(f.steps, step{key: s[i:end]})
			i = end
		}
	}
	if len(f.steps) == 0 {
		return f, fmt.Errorf("empty field")
	}
	return f, nil
}

// values appends to dst every raw msgpack value the field names in the
// map m, in order, and returns it.
func (f field) values(m []byte, dst [][]byte) [][]byte {
	return walk(m, f.steps, dst)
}

func walk(v []byte, steps []step, dst [][]byte) [][]byte {
	if len(steps) == 0 {
		return append(dst, v)
	}
	st := steps[0]
	if !st.isArr {
		next, ok := record.Lookup(v, st.key)
		if !ok {
			return dst
		}
		return walk(next, steps[1:], dst)
	}
	if st.index >= 0 {
		next, ok := record.Index(v, st.index)
		if !ok {
			return dst
		}
		return walk(next, steps[1:], dst)
	}
	n, rest, err := msgp.ReadArrayHeaderBytes(v)
	if err != nil {
		return dst
	}
	for range n {
		elem := rest
		if rest, err = msgp.Skip(rest); err != nil {
			return dst
		}
		dst = walk(elem[:len(elem)-len(rest)], steps[1:], dst)
	}
	return dst
}

// first returns the first value the field names.
func (f field) first(m []byte) ([]byte, bool) {
	if len(f.steps) == 1 && !f.steps[0].isArr {
		return record.Lookup(m, f.steps[0].key)
	}
	var buf [4][]byte
	vals := f.values(m, buf[:0])
	if len(vals) == 0 {
		return nil, false
	}
	return vals[0], true
}
