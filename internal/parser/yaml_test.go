package parser

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
)

// TestYAMLParsers builds parsers from a YAML configuration's parsers list,
// whose keys arrive lower-cased.
func TestYAMLParsers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sluice.yaml")
	src := `parsers:
  - name: app
    format: regex
    regex: '^(?<level>\w+) (?<n>\d+) (?<t>.+)$'
    time_key: t
    time_format: '%Y-%m-%dT%H:%M:%S%z'
    types: n:integer
pipeline:
  inputs:
    - name: dummy
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := NewRegistry(m.Parsers)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := reg.Lookup("app")
	if !ok {
		t.Fatalf("parsers: %v", reg.Names())
	}
	p.now = func() time.Time { return fixedNow }
	got, res, err := parseToJSON(t, p, "WARN 42 2021-01-01T00:00:00+01:00")
	if err != nil || got != `{"level":"WARN","n":42}` || !res.HasTime || res.Time.Std().Unix() != 1609455600 {
		t.Errorf("got %s %+v %v", got, res, err)
	}
}
