package plugin

import (
	"context"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/record"
)

type nopOutput struct{}

func (nopOutput) Flush(context.Context, *record.Chunk) error { return nil }

func testSpec() *Spec {
	return &Spec{Kind: KindOutput, Name: "file", Params: []Param{
		{Name: "Path", Doc: "directory"},
		{Name: "Format", Default: "out_file", Options: []string{"out_file", "plain", "csv"}, Doc: "format"},
		{Name: "Mkdir", Type: TypeBool, Doc: "create the directory"},
		{Name: "Add", Type: TypeWords, Words: 2, Multiple: true, Doc: "key value"},
		{Name: "Workers", Type: TypeInt, Default: "4", Doc: "override of the common default"},
		{Name: "Key", Required: true, Doc: "required key"},
	}, NewOutput: func(Settings) (Output, error) { return nopOutput{}, nil }}
}

func sect(kv ...string) *config.Section {
	s := &config.Section{Kind: config.KindOutput, Pos: config.Position{File: "a.conf", Line: 3}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Params = append(s.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "a.conf", Line: 4 + i/2, Column: 5}})
	}
	return s
}

func TestDecodeTypedValuesAndDefaults(t *testing.T) {
	c, err := Decode(testSpec(), sect("name", "file", "PATH", "/tmp", "mkdir", "on", "add", "a 1", "Add", "b two words", "key", "k", "match", "*"), "[OUTPUT] file")
	if err != nil {
		t.Fatal(err)
	}
	if c.String("path") != "/tmp" || !c.Bool("Mkdir") || c.String("Format") != "out_file" || c.String("Match") != "*" {
		t.Errorf("values: path=%q mkdir=%v format=%q match=%q", c.String("path"), c.Bool("Mkdir"), c.String("Format"), c.String("Match"))
	}
	if c.Int("Workers") != 4 {
		t.Errorf("plugin default of Workers = %d, want 4", c.Int("Workers"))
	}
	if got := c.AllWords("Add"); len(got) != 2 || got[1][1] != "two words" {
		t.Errorf("AllWords = %q", got)
	}
	if err := c.Errorf("path", "bad"); !strings.Contains(err.Error(), "a.conf:5") || !strings.Contains(err.Error(), "Path: bad") {
		t.Errorf("Errorf = %v, want the value's position and the declared spelling", err)
	}
	if c.IsSet("Format") || !c.IsSet("Path") {
		t.Error("IsSet must tell user values from defaults")
	}
}

func TestDecodeCollectsEveryErrorWithPosition(t *testing.T) {
	_, err := Decode(testSpec(), sect("name", "file", "pth", "/tmp", "format", "xml", "mkdir", "sure"), "[OUTPUT] file")
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		`a.conf:5:5: [OUTPUT] file unknown parameter "pth"; did you mean "Path"?`,
		`a.conf:6:5: [OUTPUT] file Format: invalid value "xml"; valid values are out_file, plain, csv`,
		`a.conf:7:5: [OUTPUT] file Mkdir: invalid boolean "sure"`,
		`a.conf:3: [OUTPUT] file missing required parameter "Key"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestRegistryRejectsBadSpecs(t *testing.T) {
	good := *testSpec()
	if _, err := NewRegistry(good, good); err == nil {
		t.Error("duplicate names must be rejected")
	}
	bad := good
	bad.Name = "Bad-Name"
	if _, err := NewRegistry(bad); err == nil {
		t.Error("invalid names must be rejected")
	}
	noCtor := good
	noCtor.NewOutput = nil
	if _, err := NewRegistry(noCtor); err == nil {
		t.Error("a spec without a constructor for its kind must be rejected")
	}
	r, err := NewRegistry(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Lookup(KindOutput, "file"); !ok {
		t.Error("lookup failed")
	}
	if _, ok := r.Lookup(KindInput, "file"); ok {
		t.Error("kinds must be separate namespaces")
	}
}

func TestInOrderKeepsConfigurationOrderAcrossKeys(t *testing.T) {
	spec := &Spec{Kind: KindFilter, Name: "modify", Params: []Param{
		{Name: "Set", Type: TypeWords, Words: 2, Multiple: true, Doc: "set"},
		{Name: "Remove", Multiple: true, Doc: "remove"},
	}, NewFilter: func(Settings) (Filter, error) { return nil, nil }}
	s := &config.Section{Kind: config.KindFilter, Params: []config.Param{
		{Key: "name", Value: "modify"}, {Key: "remove", Value: "a"}, {Key: "SET", Value: "b two words"}, {Key: "Remove", Value: "c"},
	}}
	c, err := Decode(spec, s, "[FILTER] modify")
	if err != nil {
		t.Fatal(err)
	}
	got := c.InOrder("Set", "Remove")
	if len(got) != 3 || got[0].Name != "Remove" || got[0].Raw != "a" || got[1].Name != "Set" || got[1].Words[1] != "two words" || got[2].Raw != "c" {
		t.Errorf("InOrder = %+v", got)
	}
}
