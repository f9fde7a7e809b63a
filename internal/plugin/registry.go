package plugin

import (
	"fmt"
	"regexp"
	"sort"
)

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Registry maps plugin names to their Specs. It is built once from an
// explicit list (see package plugins/all), never filled by init side
// effects, so a test can build a registry with only the plugins it needs.
type Registry struct {
	specs map[Kind]map[string]*Spec
}

// NewRegistry builds a registry, rejecting invalid names, duplicates and
// specs whose constructor does not match their kind.
func NewRegistry(specs ...Spec) (*Registry, error) {
	r := &Registry{specs: map[Kind]map[string]*Spec{}}
	for i := range specs {
		s := &specs[i]
		if !validName.MatchString(s.Name) {
			return nil, fmt.Errorf("plugin name %q must match %s", s.Name, validName)
		}
		ok := (s.Kind == KindInput && s.NewInput != nil) ||
			(s.Kind == KindFilter && s.NewFilter != nil) ||
			(s.Kind == KindOutput && s.NewOutput != nil)
		if !ok {
			return nil, fmt.Errorf("%s plugin %q has no constructor for its kind", s.Kind, s.Name)
		}
		if r.specs[s.Kind] == nil {
			r.specs[s.Kind] = map[string]*Spec{}
		}
		if _, dup := r.specs[s.Kind][s.Name]; dup {
			return nil, fmt.Errorf("%s plugin %q registered twice", s.Kind, s.Name)
		}
		r.specs[s.Kind][s.Name] = s
	}
	return r, nil
}

// Lookup returns the spec of the named plugin of kind k.
func (r *Registry) Lookup(k Kind, name string) (*Spec, bool) {
	s, ok := r.specs[k][name]
	return s, ok
}

// Names lists the plugins of kind k in alphabetical order.
func (r *Registry) Names(k Kind) []string {
	names := make([]string, 0, len(r.specs[k]))
	for n := range r.specs[k] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
