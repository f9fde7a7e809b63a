// Package plugintest builds plugin instances and records for the unit tests
// of plugins, as the engine would: parameters decoded against the plugin's
// Spec, records encoded in the chunk format.
package plugintest

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// Settings decodes kv (alternating keys and values) against spec as the
// section of a configuration file would be, failing the test on a
// configuration error.
func Settings(t testing.TB, spec plugin.Spec, kv ...string) plugin.Settings {
	t.Helper()
	s, err := TrySettings(spec, kv...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TrySettings is Settings that returns the configuration error, for tests
// of configuration checks.
func TrySettings(spec plugin.Spec, kv ...string) (plugin.Settings, error) {
	kind := config.Kind(spec.Kind.String())
	sect := &config.Section{Kind: kind, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: spec.Name, Pos: sect.Pos})
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "test.conf", Line: 2 + i/2}})
	}
	cfg, err := plugin.Decode(&spec, sect, "["+string(kind)+"] "+spec.Name)
	if err != nil {
		return plugin.Settings{}, err
	}
	return plugin.Settings{ID: spec.Name + ".0", Tag: spec.Name + ".0", Config: cfg, Logger: slog.New(slog.DiscardHandler)}, nil
}

// Events encodes JSON objects as the events of a chunk, with times 1 s apart
// from 2024-01-01T00:00:00Z.
func Events(t testing.TB, bodies ...string) ([]byte, int) {
	t.Helper()
	var b record.Builder
	for i, js := range bodies {
		body, err := record.AppendJSONAsMsgpack(nil, []byte(js))
		if err != nil {
			t.Fatalf("record %d %s: %v", i, js, err)
		}
		b.Append(record.Time(1704067200+int64(i))*1e9, nil, body)
	}
	return b.Bytes(), b.Records()
}

// Bodies returns the bodies of the events as JSON, in order.
func Bodies(t testing.TB, events []byte) []string {
	t.Helper()
	var out []string
	it := record.NewIterator(events)
	for it.Next() {
		js, _, err := record.AppendJSON(nil, it.Event().Body)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(js))
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// RunFilter passes the JSON records through f under tag and returns the
// bodies that come out, as JSON, and whether the filter changed the batch.
func RunFilter(t testing.TB, f plugin.Filter, tag string, bodies ...string) ([]string, bool) {
	t.Helper()
	events, _ := Events(t, bodies...)
	var out record.Builder
	res, err := f.Filter(tag, events, &out)
	if err != nil {
		t.Fatalf("Filter: %v", err)
	}
	if res == plugin.FilterUnchanged {
		return Bodies(t, events), false
	}
	return Bodies(t, out.Bytes()), true
}

// Batch encodes JSON bodies as the events of a chunk, all at time sec.
func Batch(t testing.TB, sec int64, bodies ...string) []byte {
	t.Helper()
	var b record.Builder
	for _, js := range bodies {
		b.BeginEvent(record.Time(sec*1e9), nil)
		if err := b.AppendJSONValue([]byte(js)); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// Render returns "unix-seconds body-json" per event, for tests that check
// times and bodies together.
func Render(t testing.TB, events []byte) []string {
	t.Helper()
	var lines []string
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		js, _, err := record.AppendJSON(nil, ev.Body)
		if err != nil {
			t.Fatal(err)
		}
		sec, _ := ev.Time.Unix()
		lines = append(lines, strconv.FormatInt(sec, 10)+" "+string(js))
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	return lines
}

// Drops describes the records a Flush error gives up on
// (plugin.PartialDropped) as "reason[i j] reason[k]", in the order the
// output reported them, or "" when it names none.
func Drops(err error) string {
	var parts []string
	for _, d := range plugin.Drops(err) {
		parts = append(parts, d.Reason+fmt.Sprint(d.Indexes))
	}
	return strings.Join(parts, " ")
}

// DeliveredOrDropped fails the test unless err is nil or reports only
// dropped records (nothing to retry), and returns Drops(err).
func DeliveredOrDropped(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || len(failed) > 0 || len(plugin.Drops(err)) == 0 {
		t.Fatalf("flush: %v (class %s, failed %v)", err, class, failed)
	}
	return Drops(err)
}
