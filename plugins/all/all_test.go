package all

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/conf"
	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugindoc"
)

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestSpecs checks every built-in plugin's declaration: the registry takes
// them all, names are valid, the parameters meet plugindoc.Check (each
// documented, names unique, defaults valid), and every example configures
// the plugin without error.
func TestSpecs(t *testing.T) {
	specs := Specs()
	reg, err := plugin.NewRegistry(specs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		t.Run(spec.Kind.String()+"/"+spec.Name, func(t *testing.T) {
			if !validName.MatchString(spec.Name) {
				t.Errorf("name %q must match %s", spec.Name, validName)
			}
			if got, ok := reg.Lookup(spec.Kind, spec.Name); !ok || got.Name != spec.Name {
				t.Errorf("registry lookup of %s failed", spec.Name)
			}
			if spec.Summary == "" {
				t.Error("no Summary")
			}
			// The declaration rules of the generated reference: every
			// parameter documented, unique names, valid defaults.
			if err := plugindoc.Check(&spec); err != nil {
				t.Error(err)
			}
			if len(spec.Examples) == 0 {
				t.Fatal("no Example")
			}
			for i, ex := range spec.Examples {
				checkExample(t, spec, fmt.Sprintf("%s example %d", spec.Name, i+1), ex)
			}
		})
	}
}

// checkExample parses a classic-format example and decodes its one section
// against spec; constructing the plugin must succeed too, since
// constructors do no I/O.
func checkExample(t *testing.T, spec plugin.Spec, name, src string) {
	t.Helper()
	model, _, err := config.ParseClassic(name, []byte(src))
	if err != nil {
		t.Errorf("%s does not parse: %v", name, err)
		return
	}
	var sections []config.Section
	switch spec.Kind {
	case plugin.KindInput:
		sections = model.Inputs
	case plugin.KindFilter:
		sections = model.Filters
	case plugin.KindOutput:
		sections = model.Outputs
	}
	if len(sections) != 1 || sections[0].Name() != spec.Name {
		t.Errorf("%s must hold one [%s] section named %s", name, strings.ToUpper(spec.Kind.String()), spec.Name)
		return
	}
	cfg, err := plugin.Decode(&spec, &sections[0], name)
	if err != nil {
		t.Errorf("%s is invalid: %v", name, err)
		return
	}
	s := plugin.Settings{ID: spec.Name + ".0", Tag: spec.Name + ".0", Config: cfg, Parsers: shippedParsers(t)}
	if spec.Emits {
		s.Emitter = discardEmitter{}
	}
	switch spec.Kind {
	case plugin.KindInput:
		_, err = spec.NewInput(s)
	case plugin.KindFilter:
		_, err = spec.NewFilter(s)
	case plugin.KindOutput:
		_, err = spec.NewOutput(s)
	}
	if err != nil {
		t.Errorf("%s: constructor: %v", name, err)
	}
}

// discardEmitter stands in for the engine's emitter of an emitting filter.
type discardEmitter struct{}

func (discardEmitter) Emit(context.Context, string, []byte, int) error { return nil }

// TestRegistryIsExplicit builds a registry of one plugin only.
func TestRegistryIsExplicit(t *testing.T) {
	var outputs []plugin.Spec
	for _, s := range Specs() {
		if s.Kind == plugin.KindOutput && s.Name == "null" {
			outputs = append(outputs, s)
		}
	}
	reg, err := plugin.NewRegistry(outputs...)
	if err != nil {
		t.Fatal(err)
	}
	if got := reg.Names(plugin.KindOutput); len(got) != 1 || got[0] != "null" {
		t.Errorf("names %v", got)
	}
	if got := reg.Names(plugin.KindInput); len(got) != 0 {
		t.Errorf("inputs %v", got)
	}
}

// shippedParsers is the registry of conf/parsers.conf, which examples of
// filters with a Parser parameter name.
func shippedParsers(t *testing.T) *parser.Registry {
	t.Helper()
	m, _, err := config.ParseClassic("parsers.conf", conf.Parsers)
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := parser.NewRegistry(m.Parsers)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
