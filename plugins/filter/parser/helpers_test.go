package parser

import (
	"testing"

	"github.com/sluice-logs/sluice/conf"
	"github.com/sluice-logs/sluice/internal/config"
	iparser "github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

// settings decodes key/value pairs as a [FILTER] section, with the shipped
// parsers available.
func settings(t testing.TB, kv ...string) plugin.Settings {
	t.Helper()
	sect := &config.Section{Kind: config.KindFilter, Pos: config.Position{File: "t.conf", Line: 1}}
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "t.conf", Line: 2 + i/2}})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[FILTER] parser")
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := config.ParseClassic("parsers.conf", conf.Parsers)
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := iparser.NewRegistry(m.Parsers)
	if err != nil {
		t.Fatal(err)
	}
	return plugin.Settings{ID: "parser.0", Config: cfg, Parsers: reg}
}

// batch encodes JSON bodies as events at time sec.
func batch(t testing.TB, sec int64, bodies ...string) []byte {
	t.Helper()
	return plugintest.Batch(t, sec, bodies...)
}

// render returns "unix-seconds body-json" per event.
func render(t testing.TB, events []byte) []string {
	t.Helper()
	return plugintest.Render(t, events)
}
