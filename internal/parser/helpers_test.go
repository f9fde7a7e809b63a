package parser

import (
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/record"
)

// section builds a [PARSER] section from key/value pairs.
func section(kv ...string) *config.Section {
	s := &config.Section{Kind: config.KindParser, Pos: config.Position{File: "parsers.conf", Line: 1}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Params = append(s.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "parsers.conf", Line: 2 + i/2}})
	}
	return s
}

// fixedNow is the clock of every test parser: 2026-06-15 12:00 UTC.
var fixedNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func mustParser(t testing.TB, kv ...string) *Parser {
	t.Helper()
	p, err := New(section(kv...))
	if err != nil {
		t.Fatal(err)
	}
	p.now = func() time.Time { return fixedNow }
	return p
}

// parseJSON runs p on line and renders the map as JSON.
func parseToJSON(t testing.TB, p *Parser, line string) (string, Result, error) {
	t.Helper()
	m, res, err := p.Parse(nil, []byte(line))
	if err != nil {
		return "", res, err
	}
	js, rest, err := record.AppendJSON(nil, m)
	if err != nil || len(rest) != 0 {
		t.Fatalf("parser wrote invalid msgpack %x: %v", m, err)
	}
	return string(js), res, nil
}
