package plugindoc

import (
	"sort"
	"strings"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Catalog is the documented form of every built-in plugin and of the
// [SERVICE] section, in a stable order: inputs, filters, outputs, each by
// name. It is what `sluice plugins --json` prints.
type Catalog struct {
	Plugins []Plugin `json:"plugins"`
	// Service lists the [SERVICE] keys.
	Service []Param `json:"service"`
}

// Plugin documents one plugin.
type Plugin struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
	// Params are the plugin's own parameters, in declaration order.
	Params []Param `json:"params"`
	// Common are the engine-level parameters of the plugin's kind
	// (plugin.CommonParams) and, for a filter that emits, the Emitter_*
	// parameters (plugin.EmitterParams), without those the plugin
	// redeclares in Params (its declaration wins, e.g. its own Workers
	// default).
	Common   []Param  `json:"common_params"`
	Examples []string `json:"examples"`
	// DynamicTags and Emits copy the Spec's flags.
	DynamicTags bool `json:"dynamic_tags,omitempty"`
	Emits       bool `json:"emits,omitempty"`
}

// Param documents one parameter.
type Param struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Default  string   `json:"default,omitempty"`
	Required bool     `json:"required"`
	Multiple bool     `json:"multiple"`
	Options  []string `json:"options,omitempty"`
	// Words is the field count of a "words" parameter.
	Words int `json:"words,omitempty"`
	// Min and Max bound an integer or size parameter when present.
	Min *int64 `json:"min,omitempty"`
	Max *int64 `json:"max,omitempty"`
	Doc string `json:"doc"`
}

// New builds the catalog of specs and of the [SERVICE] declaration service
// (engine.ServiceSpec). It does not validate them; see Check.
func New(specs []plugin.Spec, service *plugin.Spec) *Catalog {
	c := &Catalog{Plugins: make([]Plugin, 0, len(specs))}
	for i := range specs {
		c.Plugins = append(c.Plugins, newPlugin(&specs[i]))
	}
	sort.SliceStable(c.Plugins, func(i, j int) bool {
		a, b := c.Plugins[i], c.Plugins[j]
		if a.Kind != b.Kind {
			return kindOrder(a.Kind) < kindOrder(b.Kind)
		}
		return a.Name < b.Name
	})
	if service != nil {
		c.Service = params(service.Params)
	}
	return c
}

// Kinds are the plugin kinds in the order the reference lists them.
var Kinds = []string{plugin.KindInput.String(), plugin.KindFilter.String(), plugin.KindOutput.String()}

func kindOrder(kind string) int {
	for i, k := range Kinds {
		if k == kind {
			return i
		}
	}
	return len(Kinds)
}

// Lookup returns the plugin of kind named name.
func (c *Catalog) Lookup(kind, name string) (*Plugin, bool) {
	for i := range c.Plugins {
		if p := &c.Plugins[i]; p.Kind == kind && p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// OfKind returns the plugins of kind, by name.
func (c *Catalog) OfKind(kind string) []Plugin {
	var out []Plugin
	for _, p := range c.Plugins {
		if p.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

func newPlugin(s *plugin.Spec) Plugin {
	own := map[string]bool{}
	for _, p := range s.Params {
		own[strings.ToLower(p.Name)] = true
	}
	common := plugin.CommonParams(s.Kind)
	if s.Emits {
		common = append(append([]plugin.Param(nil), common...), plugin.EmitterParams()...)
	}
	var inherited []plugin.Param
	for _, p := range common {
		if !own[strings.ToLower(p.Name)] {
			inherited = append(inherited, p)
		}
	}
	return Plugin{
		Kind:        s.Kind.String(),
		Name:        s.Name,
		Summary:     s.Summary,
		Params:      params(s.Params),
		Common:      params(inherited),
		Examples:    append([]string{}, s.Examples...),
		DynamicTags: s.DynamicTags,
		Emits:       s.Emits,
	}
}

func params(ps []plugin.Param) []Param {
	out := make([]Param, 0, len(ps))
	for _, p := range ps {
		d := Param{
			Name:     p.Name,
			Type:     p.Type.String(),
			Default:  p.Default,
			Required: p.Required,
			Multiple: p.Multiple,
			Options:  p.Options,
			Words:    p.Words,
			Doc:      p.Doc,
		}
		if p.Max > p.Min {
			lo, hi := p.Min, p.Max
			d.Min, d.Max = &lo, &hi
		}
		out = append(out, d)
	}
	return out
}
