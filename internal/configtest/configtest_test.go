package configtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/plugins/all"
)

const routedConfig = `
[INPUT]
    Name  dummy
    Tag   app.web

[INPUT]
    Name  dummy
    Tag   kube.audit

[FILTER]
    Name   redact
    Match  app.*

[OUTPUT]
    Name   stdout
    Alias  developers
    Match  app.*

[OUTPUT]
    Name         file
    Match_Regex  ^kube\.
    Path         /nonexistent/never/written

[OUTPUT]
    Name   null
`

func writeTest(t *testing.T, test string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sluice.conf"), []byte(routedConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sluice_test.yaml")
	if err := os.WriteFile(path, []byte("config: sluice.conf\n"+test), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, test string) []Result {
	t.Helper()
	f, err := Load(writeTest(t, test))
	if err != nil {
		t.Fatal(err)
	}
	results, err := (&Runner{Specs: all.Specs()}).Run(f)
	if err != nil {
		t.Fatal(err)
	}
	return results
}

func TestPassingCaseRunsFiltersAndRoutes(t *testing.T) {
	results := run(t, `
tests:
  - name: routed and redacted
    inputs:
      - tag: app.web
        records:
          - {log: "pwd=hunter2", n: 1, nested: {a: [1, 2]}}
      - tag: kube.audit
        time: 2024-05-01T12:00:00Z
        records: [{kind: Event}, {kind: Event}]
    expect:
      - output: developers
        count: 1
        tag: app.web
        records:
          - {log: "pwd=[REDACTED:password]", nested: {a: [1, 2]}}
      - output: file.0
        count: 2
        tag: kube.audit
      - output: null.0
        count: 0
`)
	if len(results) != 1 || !results[0].Passed() {
		t.Fatalf("results %+v", results)
	}
}

func TestFailuresSayWhatDiffers(t *testing.T) {
	results := run(t, `
tests:
  - name: wrong expectations
    inputs:
      - tag: app.web
        records: [{log: "hello", n: 1}]
    expect:
      - output: developers
        count: 2
        tag: app.other
        records:
          - {log: "bye"}
          - {log: "missing"}
      - output: developerz
`)
	fails := strings.Join(results[0].Failures, "\n")
	for _, want := range []string{
		"output developers: received 1 records, want 2",
		`[app.web] {"log":"hello","n":1}`,
		`record 1 has tag "app.web", want "app.other"`,
		`key log is "hello", want "bye"`,
		"record 2 missing",
		`no output is named "developerz"; outputs are developers, file.0, null.0`,
	} {
		if !strings.Contains(fails, want) {
			t.Errorf("failures lack %q:\n%s", want, fails)
		}
	}
}

func TestSubset(t *testing.T) {
	got := map[string]any{"a": "x", "m": map[string]any{"b": 1.0, "c": []any{1.0}}}
	tests := []struct {
		want any
		diff string
	}{
		{map[string]any{"a": "x"}, ""},
		{map[string]any{"m": map[string]any{"b": 1.0}}, ""},
		{map[string]any{"m": map[string]any{"c": []any{1.0}}}, ""},
		{map[string]any{"z": 1.0}, "key z is missing"},
		{map[string]any{"m": map[string]any{"b": 2.0}}, "key m.b is 1, want 2"},
		{map[string]any{"a": map[string]any{}}, `key a is "x", want a map`},
	}
	for _, tt := range tests {
		if d := subset(tt.want, got, ""); d != tt.diff {
			t.Errorf("subset(%v) = %q, want %q", tt.want, d, tt.diff)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ body, want string }{
		{"tests: []", "no `config:`"},
		{"config: x.conf", "no tests"},
		{"config: x.conf\ntests: [{inputs: []}]", "has no name"},
		{"config: x.conf\ntests: [{name: a, inputs: [{records: []}]}]", "has no tag"},
		{"config: x.conf\ntests: [{name: a, inputs: [{tag: t, time: yesterday}]}]", "RFC 3339"},
		{"config: x.conf\ntests: [{name: a, expect: [{count: 1}]}]", "names no output"},
		{"config: x.conf\ntests: [{name: a, expct: []}]", "expct"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, strings.Repeat("t", i+1)+".yaml")
		os.WriteFile(path, []byte(tt.body), 0o644)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.body, err, tt.want)
		}
	}
}

func TestInvalidConfigIsAnError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.conf"), []byte("[OUTPUT]\n    Name  nope\n"), 0o644)
	path := filepath.Join(dir, "t.yaml")
	os.WriteFile(path, []byte("config: bad.conf\ntests: [{name: a}]"), 0o644)
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Runner{Specs: all.Specs()}).Run(f); err == nil || !strings.Contains(err.Error(), `unknown output plugin "nope"`) {
		t.Errorf("err = %v", err)
	}
}
