package plugindoc_test

import (
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugindoc"
)

// TestCheck feeds Check one broken declaration per rule and expects the
// problem named with the plugin and parameter.
func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		params []plugin.Param
		want   string // "" for a valid declaration
	}{
		{"valid", []plugin.Param{
			{Name: "Format", Default: "json", Options: []string{"json", "text"}, Doc: "encoding"},
			{Name: "Rule", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "two words"},
			{Name: "Keys", Type: plugin.TypeWords, Doc: "any number of words"},
			{Name: "Port", Type: plugin.TypeInt, Default: "80", Min: 1, Max: 65535, Doc: "port"},
		}, ""},
		{"no doc", []plugin.Param{{Name: "Path", Doc: "  "}}, "parameter Path: has no Doc"},
		{"multi-line doc", []plugin.Param{{Name: "Path", Doc: "one\ntwo"}}, "Doc spans several lines"},
		{"duplicate names", []plugin.Param{{Name: "Path", Doc: "a"}, {Name: "path", Doc: "b"}},
			"parameter path: declared twice (also as Path)"},
		{"default not an option", []plugin.Param{{Name: "Format", Default: "xml", Options: []string{"json"}, Doc: "d"}},
			`Default "xml" is not among its Options json`},
		{"default of the wrong type", []plugin.Param{{Name: "Port", Type: plugin.TypeInt, Default: "eighty", Doc: "d"}},
			`Default "eighty" is not a valid value`},
		{"default out of range", []plugin.Param{{Name: "Port", Type: plugin.TypeInt, Default: "0", Min: 1, Max: 9, Doc: "d"}},
			"out of range"},
		{"default rejected by Check", []plugin.Param{{Name: "Mode", Default: "x", Doc: "d",
			Check: func(string) error { return errString("no") }}}, `Default "x" is not a valid value`},
		{"options on a boolean", []plugin.Param{{Name: "On", Type: plugin.TypeBool, Options: []string{"on"}, Doc: "d"}},
			"declares Options but is of type boolean"},
		{"words on a string", []plugin.Param{{Name: "Rule", Words: 2, Doc: "d"}}, "sets Words but is of type string"},
		{"required with default", []plugin.Param{{Name: "Path", Required: true, Default: "/", Doc: "d"}}, "is Required and has Default"},
		{"multiple with default", []plugin.Param{{Name: "Add", Multiple: true, Default: "a b", Doc: "d"}}, "is Multiple and has Default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &plugin.Spec{Kind: plugin.KindOutput, Name: "sink", Params: tt.params}
			err := plugindoc.Check(spec)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected problem: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("no problem reported, want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("got %v, want %q", err, tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), "output sink: parameter "):
				t.Errorf("%v does not name the plugin and parameter", err)
			}
		})
	}
}

// TestCheckDecodesDefaults: a plugin with no Required parameter must
// decode from a section that sets only its Name; with an invalid default
// it does not, and the problem names the plugin.
func TestCheckDecodesDefaults(t *testing.T) {
	spec := &plugin.Spec{Kind: plugin.KindOutput, Name: "sink", Params: []plugin.Param{
		{Name: "Workers", Type: plugin.TypeInt, Default: "1", Min: 2, Max: 4, Doc: "d"},
	}}
	err := plugindoc.Check(spec)
	if err == nil || !strings.Contains(err.Error(), "output sink: a section with no parameters set does not decode") {
		t.Fatalf("got %v", err)
	}
	spec.Params[0].Required, spec.Params[0].Default = true, ""
	if err := plugindoc.Check(spec); err != nil {
		t.Errorf("a plugin with a Required parameter is not decoded empty, got %v", err)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
