package systemd

import (
	"bytes"
	"fmt"
	"strings"
)

// matcher is the Systemd_Filter set. Fluent Bit adds each filter with
// sd_journal_add_match and separates them with a disjunction (Or) or a
// conjunction (And); sd-journal ORs the values of one field within a term,
// so And means: every field named must have one of the values given for it.
type matcher struct {
	and    bool
	fields []fieldMatch // in the order first named
}

type fieldMatch struct {
	name   []byte // "FIELD="
	values [][]byte
}

func newMatcher(filters []string, and bool) (*matcher, error) {
	if len(filters) == 0 {
		return nil, nil
	}
	m := &matcher{and: and}
	for _, f := range filters {
		name, value, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("%q is not FIELD=VALUE, e.g. _SYSTEMD_UNIT=kubelet.service", f)
		}
		var fm *fieldMatch
		for i := range m.fields {
			if string(m.fields[i].name) == name+"=" {
				fm = &m.fields[i]
			}
		}
		if fm == nil {
			m.fields = append(m.fields, fieldMatch{name: []byte(name + "=")})
			fm = &m.fields[len(m.fields)-1]
		}
		fm.values = append(fm.values, []byte(value))
	}
	return m, nil
}

// match reports whether an entry with these "FIELD=value" fields passes.
func (m *matcher) match(fields [][]byte) bool {
	if m == nil {
		return true
	}
	for i := range m.fields {
		hit := m.fields[i].matches(fields)
		if hit && !m.and {
			return true
		}
		if !hit && m.and {
			return false
		}
	}
	return m.and
}

func (fm *fieldMatch) matches(fields [][]byte) bool {
	for _, f := range fields {
		if !bytes.HasPrefix(f, fm.name) {
			continue
		}
		v := f[len(fm.name):]
		for _, want := range fm.values {
			if bytes.Equal(v, want) {
				return true
			}
		}
	}
	return false
}
