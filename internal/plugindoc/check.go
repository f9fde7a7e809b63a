package plugindoc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Check reports what keeps spec from being documented and configured as
// declared: the rules of CheckParams for its parameters, and, when none of
// them is Required, a section holding only its Name must decode, so a
// plugin works with its defaults. Every problem is named; the result is
// nil when there are none.
func Check(spec *plugin.Spec) error {
	label := spec.Name
	if spec.Kind != 0 {
		label = spec.Kind.String() + " " + spec.Name
	}
	errs := []error{CheckParams(label, spec.Params)}
	required := false
	for _, p := range spec.Params {
		required = required || p.Required
	}
	if !required {
		sect := config.Section{}
		if spec.Kind != 0 {
			sect.Params = []config.Param{{Key: "Name", Value: spec.Name}}
		}
		if err := decode(spec, &sect); err != nil {
			errs = append(errs, fmt.Errorf("%s: a section with no parameters set does not decode: %w", label, err))
		}
	}
	return errors.Join(errs...)
}

// CheckParams checks a list of parameter declarations (a plugin's, the
// common parameters of a kind, the [SERVICE] keys), named label in
// messages: every name is unique case-insensitively and every parameter
// has a one-line Doc; a Default is a valid value of the parameter's own
// type and, with Options, one of them; Options are only declared where
// Decode enforces them (string parameters), and Words only on words
// parameters; a parameter is not both Required and defaulted, and a Multiple one
// has no Default (Decode applies none to it).
func CheckParams(label string, params []plugin.Param) error {
	var errs []error
	fail := func(p plugin.Param, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: parameter %s: %s", label, p.Name, fmt.Sprintf(format, args...)))
	}
	seen := map[string]string{}
	for _, p := range params {
		key := strings.ToLower(p.Name)
		if prev, dup := seen[key]; dup {
			fail(p, "declared twice (also as %s); names are case-insensitive", prev)
		}
		seen[key] = p.Name
		switch doc := strings.TrimSpace(p.Doc); {
		case doc == "":
			fail(p, "has no Doc; write a one-line description")
		case strings.ContainsAny(p.Doc, "\r\n"):
			fail(p, "Doc spans several lines; keep it to one line")
		}
		if len(p.Options) > 0 && p.Type != plugin.TypeString {
			fail(p, "declares Options but is of type %s; Options are only enforced for strings", p.Type)
		}
		if p.Words > 0 && p.Type != plugin.TypeWords {
			fail(p, "sets Words but is of type %s; Words only splits words parameters", p.Type)
		}
		if p.Default == "" {
			continue
		}
		if p.Required {
			fail(p, "is Required and has Default %q; drop one", p.Default)
		}
		if p.Multiple {
			fail(p, "is Multiple and has Default %q, which Decode never applies", p.Default)
		}
		if len(p.Options) > 0 && !containsFold(p.Options, p.Default) {
			fail(p, "Default %q is not among its Options %s", p.Default, strings.Join(p.Options, ", "))
		}
		// Decode the default as if a user had written it, through the
		// parameter alone, so its type, range and Check all apply.
		one := &plugin.Spec{Name: label, Params: []plugin.Param{p}}
		if err := decode(one, &config.Section{Params: []config.Param{{Key: p.Name, Value: p.Default}}}); err != nil {
			fail(p, "Default %q is not a valid value: %v", p.Default, err)
		}
	}
	return errors.Join(errs...)
}

// decode runs plugin.Decode, turning its panic on an invalid default into
// an error.
func decode(spec *plugin.Spec, sect *config.Section) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	_, err = plugin.Decode(spec, sect, spec.Name)
	return err
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// CheckAll runs Check on every spec and on the [SERVICE] declaration, and
// CheckParams on the common parameters of every kind and on the emitter
// parameters, returning every problem found.
func CheckAll(specs []plugin.Spec, service *plugin.Spec) error {
	var errs []error
	for i := range specs {
		errs = append(errs, Check(&specs[i]))
	}
	if service != nil {
		errs = append(errs, Check(service))
	}
	for _, k := range []plugin.Kind{plugin.KindInput, plugin.KindFilter, plugin.KindOutput} {
		errs = append(errs, CheckParams("common "+k.String()+" parameters", plugin.CommonParams(k)))
	}
	errs = append(errs, CheckParams("emitter parameters", plugin.EmitterParams()))
	return errors.Join(errs...)
}
