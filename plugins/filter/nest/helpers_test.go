package nest

import (
	"strconv"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// settings decodes key/value pairs as a [FILTER] section, with the shipped
// parsers available.
func settings(t testing.TB, kv ...string) plugin.Settings {
	t.Helper()
	s, err := trySettings(kv...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// trySettings is settings returning the decoding error.
func trySettings(kv ...string) (plugin.Settings, error) {
	sect := &config.Section{Kind: config.KindFilter, Pos: config.Position{File: "t.conf", Line: 1}}
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "t.conf", Line: 2 + i/2}})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[FILTER] nest")
	if err != nil {
		return plugin.Settings{}, err
	}
	return plugin.Settings{ID: "nest.0", Config: cfg}, nil
}

// batch encodes JSON bodies as events at time sec.
func batch(t testing.TB, sec int64, bodies ...string) []byte {
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

// render returns "unix-seconds body-json" per event.
func render(t testing.TB, events []byte) []string {
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
