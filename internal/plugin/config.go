package plugin

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
)

// Config is a section's parameters after validation against a Spec: every
// declared parameter has a typed value (its default when unset), and every
// getter is infallible. Asking for an undeclared name is a programming
// error and panics, which the registry tests catch.
type Config struct {
	label    string
	sectPos  config.Position
	declared map[string]*Param
	values   map[string][]value
}

type value struct {
	seq    int // position among the section's parameters
	raw    string
	pos    config.Position
	parsed any
	user   bool // written by the user, not a default
}

// Label names the section in messages, e.g. `[OUTPUT] file (file.0)`.
func (c *Config) Label() string { return c.label }

func (c *Config) get(name string) []value {
	key := strings.ToLower(name)
	if _, ok := c.declared[key]; !ok {
		panic(fmt.Sprintf("plugin config: parameter %q is not declared", name))
	}
	return c.values[key]
}

func (c *Config) last(name string) any {
	v := c.get(name)
	if len(v) == 0 {
		return nil
	}
	return v[len(v)-1].parsed
}

// File is the configuration file the section was written in ("" for the
// command line), for plugins that resolve relative paths from it as Fluent
// Bit does (lua's script).
func (c *Config) File() string { return c.sectPos.File }

// IsSet reports whether the user wrote the parameter (defaults do not count).
func (c *Config) IsSet(name string) bool {
	v := c.get(name)
	return len(v) > 0 && v[0].user
}

// String returns a string parameter ("" when unset without default).
func (c *Config) String(name string) string {
	s, _ := c.last(name).(string)
	return s
}

// Int returns an integer parameter.
func (c *Config) Int(name string) int64 {
	i, _ := c.last(name).(int64)
	return i
}

// Size returns a size parameter in bytes.
func (c *Config) Size(name string) int64 { return c.Int(name) }

// Bool returns a boolean parameter.
func (c *Config) Bool(name string) bool {
	b, _ := c.last(name).(bool)
	return b
}

// Float returns a number parameter.
func (c *Config) Float(name string) float64 {
	f, _ := c.last(name).(float64)
	return f
}

// Duration returns a duration parameter.
func (c *Config) Duration(name string) time.Duration {
	d, _ := c.last(name).(time.Duration)
	return d
}

// List returns a comma-list or words parameter (last occurrence).
func (c *Config) List(name string) []string {
	l, _ := c.last(name).([]string)
	return l
}

// All returns every occurrence of a Multiple parameter as written.
func (c *Config) All(name string) []string {
	var out []string
	for _, v := range c.get(name) {
		out = append(out, strings.TrimSpace(v.raw))
	}
	return out
}

// AllWords returns every occurrence of a Multiple TypeWords parameter, split.
func (c *Config) AllWords(name string) [][]string {
	var out [][]string
	for _, v := range c.get(name) {
		out = append(out, v.parsed.([]string))
	}
	return out
}

// Occurrence is one written occurrence of a parameter, see InOrder.
type Occurrence struct {
	// Name is the parameter's declared name (not the user's spelling).
	Name string
	// Raw is the value as written, trimmed; Words holds it split for a
	// TypeWords parameter.
	Raw   string
	Words []string
}

// InOrder returns every occurrence of the named parameters in the order
// the user wrote them, for plugins whose rules apply in configuration
// order across several keys (modify's Set, Rename, Remove ...).
func (c *Config) InOrder(names ...string) []Occurrence {
	type occ struct {
		seq int
		o   Occurrence
	}
	var all []occ
	for _, n := range names {
		p := c.declared[strings.ToLower(n)]
		if p == nil {
			panic(fmt.Sprintf("plugin config: parameter %q is not declared", n))
		}
		for _, v := range c.values[strings.ToLower(n)] {
			if !v.user {
				continue
			}
			words, _ := v.parsed.([]string)
			all = append(all, occ{v.seq, Occurrence{Name: p.Name, Raw: strings.TrimSpace(v.raw), Words: words}})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	out := make([]Occurrence, len(all))
	for i, a := range all {
		out[i] = a.o
	}
	return out
}

// Errorf returns a configuration error positioned at the parameter (or at
// the section when the parameter was not written), for constructors that
// find a value semantically invalid (a bad regex, a missing directory). It
// names the parameter as the plugin declares it, whatever the case of name.
func (c *Config) Errorf(name, format string, args ...any) error {
	pos := c.sectPos
	if v := c.get(name); len(v) > 0 && v[len(v)-1].pos.Line > 0 {
		pos = v[len(v)-1].pos
	}
	if d := c.declared[strings.ToLower(name)]; d != nil {
		name = d.Name // the spelling of the plugin's declaration, as the docs show it
	}
	return &config.Error{Pos: pos, Section: c.label, Msg: fmt.Sprintf("%s: %s", name, fmt.Sprintf(format, args...))}
}

// Decode validates a section against the parameters of spec plus the common
// parameters of its kind, and returns the typed Config. It collects every
// error (unknown key with a suggestion, invalid value, missing required
// key, repeated single-valued key) into one joined error.
func Decode(spec *Spec, sect *config.Section, label string) (*Config, error) {
	c := &Config{
		label:    label,
		sectPos:  sect.Pos,
		declared: map[string]*Param{},
		values:   map[string][]value{},
	}
	for _, p := range CommonParams(spec.Kind) {
		c.declared[strings.ToLower(p.Name)] = &p
	}
	if spec.Emits {
		for _, p := range emitterParams {
			c.declared[strings.ToLower(p.Name)] = &p
		}
	}
	for i := range spec.Params { // a plugin's own declaration wins (e.g. its Workers default)
		c.declared[strings.ToLower(spec.Params[i].Name)] = &spec.Params[i]
	}
	var errs []error
	for seq, kv := range sect.Params {
		key := strings.ToLower(kv.Key)
		p, ok := c.declared[key]
		if !ok {
			errs = append(errs, &config.Error{Pos: kv.Pos, Section: label,
				Msg: fmt.Sprintf("unknown parameter %q", kv.Key), Hint: c.unknownHint(kv.Key)})
			continue
		}
		parsed, err := p.parse(kv.Value)
		if err != nil {
			errs = append(errs, &config.Error{Pos: kv.Pos, Section: label, Msg: fmt.Sprintf("%s: %v", p.Name, err)})
			continue
		}
		if !p.Multiple {
			c.values[key] = c.values[key][:0]
		}
		c.values[key] = append(c.values[key], value{seq: seq, raw: kv.Value, pos: kv.Pos, parsed: parsed, user: true})
	}
	for key, p := range c.declared {
		if len(c.values[key]) > 0 {
			continue
		}
		if p.Required {
			errs = append(errs, &config.Error{Pos: sect.Pos, Section: label,
				Msg: fmt.Sprintf("missing required parameter %q", p.Name), Hint: p.Doc})
			continue
		}
		if p.Default != "" && !p.Multiple {
			parsed, err := p.parse(p.Default)
			if err != nil {
				panic(fmt.Sprintf("plugin %s: default of %s: %v", spec.Name, p.Name, err))
			}
			c.values[key] = []value{{raw: p.Default, parsed: parsed}}
		}
	}
	return c, errors.Join(errs...)
}

func (c *Config) unknownHint(key string) string {
	names := make([]string, 0, len(c.declared))
	for _, p := range c.declared {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	if s := config.Suggest(key, names); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "valid parameters are " + strings.Join(names, ", ")
}
