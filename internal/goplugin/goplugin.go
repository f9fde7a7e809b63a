// Package goplugin serves the outputs of aws-for-fluent-bit's Go plugins
// (cloudwatch, firehose, kinesis — the .so files its task definitions load
// with -e) with Sluice's core outputs: a Mapping rewrites the Go plugin's
// section as the core output's section, decodes it against that output's
// Spec, builds it, and logs a notice saying so. Errors of the mapped
// section are reported at the user's own section and parameters.
package goplugin

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Mapping says how one Go plugin's parameters become a core output's.
type Mapping struct {
	// Plugin is the Go plugin's name, Target the core output's.
	Plugin string
	Target func() plugin.Spec
	// Same lists the parameters with the same name and meaning in both.
	Same []string
	// Ignored are accepted and ignored; the value says why (in the notice).
	Ignored map[string]string
	// Unsupported are configuration errors when set; the value says what
	// to do instead.
	Unsupported map[string]string
	// Translate, when set, writes the parameters that need more than a
	// copy (with add) and returns notes for the notice; it reports a
	// configuration error with c.Errorf.
	Translate func(c *plugin.Config, add func(key, value string)) ([]string, error)
}

// Params declares the Ignored and Unsupported parameters, for the Go
// plugin's Spec.
func (m *Mapping) Params() []plugin.Param {
	var out []plugin.Param
	for _, n := range sorted(m.Ignored) {
		out = append(out, plugin.Param{Name: n, Doc: "accepted and ignored: " + m.Ignored[n]})
	}
	for _, n := range sorted(m.Unsupported) {
		out = append(out, plugin.Param{Name: n, Doc: "not supported: " + m.Unsupported[n]})
	}
	return out
}

func sorted(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Build maps s's section onto the target output and builds it.
func (m *Mapping) Build(s plugin.Settings, spec plugin.Spec) (plugin.Output, error) {
	c := s.Config
	for _, n := range sorted(m.Unsupported) {
		if c.IsSet(n) {
			return nil, c.Errorf(n, "not supported by Sluice: %s", m.Unsupported[n])
		}
	}
	target := m.Target()
	sect := &config.Section{Kind: config.KindOutput}
	add := func(k, v string) { sect.Params = append(sect.Params, config.Param{Key: k, Value: v}) }
	add("Name", target.Name)
	for _, n := range m.Same {
		if c.IsSet(n) {
			add(n, c.String(n))
		}
	}
	var notes []string
	if m.Translate != nil {
		more, err := m.Translate(c, add)
		if err != nil {
			return nil, err
		}
		notes = append(notes, more...)
	}
	for _, n := range sorted(m.Ignored) {
		if c.IsSet(n) {
			notes = append(notes, fmt.Sprintf("%s ignored: %s", n, m.Ignored[n]))
		}
	}
	cfg, err := plugin.Decode(&target, sect, c.Label())
	if err != nil {
		return nil, reposition(c, spec, target.Name, err)
	}
	if s.Logger != nil {
		s.Logger.Info(fmt.Sprintf("the aws-for-fluent-bit Go plugin %s is served by Sluice's %s output", m.Plugin, target.Name),
			"notes", strings.Join(notes, "; "))
	}
	s.Config = cfg
	out, err := target.NewOutput(s)
	if err != nil {
		return nil, reposition(c, spec, target.Name, err)
	}
	return out, nil
}

// Renamed maps a core parameter back to the Go plugin's name, for errors.
var Renamed = map[string]string{"log_group_template": "log_group_name", "log_stream_template": "log_stream_name"}

// reposition turns the errors of the mapped section back into errors at
// the user's own section and parameter lines.
func reposition(c *plugin.Config, spec plugin.Spec, target string, err error) error {
	var errs []error
	for _, e := range flatten(err) {
		var ce *config.Error
		if !errors.As(e, &ce) {
			errs = append(errs, c.Errorf("Name", "%v (served by %s)", e, target))
			continue
		}
		name, msg, ok := strings.Cut(ce.Msg, ": ")
		if !ok {
			name, msg = "Name", ce.Msg
		}
		if g, found := Renamed[name]; found {
			name = g
		}
		if !declared(spec, name) {
			name, msg = "Name", ce.Msg
		}
		if ce.Hint != "" {
			msg += "; " + ce.Hint
		}
		errs = append(errs, c.Errorf(name, "%s (served by %s)", msg, target))
	}
	return errors.Join(errs...)
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func declared(spec plugin.Spec, name string) bool {
	for _, p := range spec.Params {
		if strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}
