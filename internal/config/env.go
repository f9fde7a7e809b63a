package config

import (
	"fmt"
	"os"
	"strings"
)

// Expand replaces each ${NAME} in s with the value of the variable NAME and
// returns the result with the names that had no value, in order.
//
// NAME is looked up in vars first (the variables of @SET lines and of the
// YAML env section), then in the process environment, where a variable set to
// the empty string counts as unset; HOSTNAME falls back to the host's name.
// This is Fluent Bit's order (flb_env_get in src/flb_env.c): a variable
// defined in the configuration is not overridden by the environment. An
// undefined variable expands to the empty string, as in Fluent Bit.
//
// ${NAME:-default} (Fluent Bit 5.0.6 and later) expands to default when NAME
// is unset or empty. Values are inserted as they are, never expanded again.
// "${}" and a "${" with no closing "}" are kept as written.
func Expand(s string, vars map[string]string) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var (
		b         strings.Builder
		undefined []string
	)
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			break
		}
		end := strings.IndexByte(s[start+2:], '}')
		if end < 0 {
			break
		}
		ref := s[start+2 : start+2+end]
		b.WriteString(s[:start])
		s = s[start+3+end:]
		if ref == "" {
			b.WriteString("${}")
			continue
		}
		name, fallback, hasFallback := strings.Cut(ref, ":-")
		value, ok := lookupVariable(name, vars)
		switch {
		case hasFallback && value == "":
			b.WriteString(fallback)
		case ok:
			b.WriteString(value)
		default:
			undefined = append(undefined, name)
		}
	}
	b.WriteString(s)
	return b.String(), undefined
}

// lookupVariable resolves one name as Expand documents.
func lookupVariable(name string, vars map[string]string) (string, bool) {
	if v, ok := vars[name]; ok {
		return v, true
	}
	if v := os.Getenv(name); v != "" {
		return v, true
	}
	if name == "HOSTNAME" {
		// Fluent Bit presets HOSTNAME from gethostname(2) because shells
		// rarely export it (env_preset in src/flb_env.c).
		if h, err := os.Hostname(); err == nil {
			return h, true
		}
	}
	return "", false
}

// expand runs Expand over every value of m with the variables collected so
// far, warning once per undefined reference.
func (p *parse) expand(m *Model) {
	for _, s := range sectionsOf(m) {
		for i := range s.Params {
			prm := &s.Params[i]
			value, undefined := Expand(prm.Value, p.vars)
			prm.Value = value
			for _, name := range undefined {
				p.warn(prm.Pos, fmt.Sprintf("variable ${%s} in %q is not set: it expands to an empty string; "+
					"define it with @SET, the YAML env section or the environment", name, prm.Key))
			}
		}
	}
}

// sectionsOf lists pointers to every section of m, service first.
func sectionsOf(m *Model) []*Section {
	out := []*Section{&m.Service}
	for _, list := range [][]Section{m.Inputs, m.Filters, m.Outputs, m.Parsers, m.MultilineParsers} {
		for i := range list {
			out = append(out, &list[i])
		}
	}
	return out
}
