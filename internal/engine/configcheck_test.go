package engine

import (
	"io"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// holder is a test filter declared like multiline: it emits, and emits
// while holding its lock when its buffer parameter is on.
type holder struct{}

func (holder) Filter(string, []byte, *record.Builder) (plugin.FilterResult, error) {
	return plugin.FilterUnchanged, nil
}

func checkRegistry(t *testing.T) *plugin.Registry {
	t.Helper()
	h := &harness{inputs: map[string]*feed{"a": {}, "b": {}}, outputs: map[string]*sink{"o": {}}}
	reg, err := plugin.NewRegistry(append(registrySpecs(h), plugin.Spec{Kind: plugin.KindFilter, Name: "holder", Emits: true,
		Params:           []plugin.Param{{Name: "buffer", Type: plugin.TypeBool, Default: "on", Doc: "hold records"}},
		EmitsWhileLocked: func(c *plugin.Config) bool { return c.Bool("buffer") },
		NewFilter:        func(plugin.Settings) (plugin.Filter, error) { return holder{}, nil }})...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestLockedEmittersOnTheSameTagsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		filters [][]string
		want    string // in the error; "" for a valid configuration
	}{
		{"same Match", [][]string{{"Match", "app.*"}, {"Match", "app.*"}},
			"[FILTER] holder (holder.1) holds records and emits them again (buffer on), as [FILTER] holder (holder.0) (at test.conf:1) does, and the two take the tags of Match app.*"},
		{"overlapping patterns", [][]string{{"Match", "app.*"}, {"Match", "*.web"}}, "tags matching both app.* and *.web"},
		{"regex taking an input's tag", [][]string{{"Match", "*"}, {"Match_Regex", "^app"}}, "the input tag app.web"},
		{"regex and pattern on an input tag", [][]string{{"Match", "app.*"}, {"Match_Regex", "^app\\."}}, "the input tag app.web"},
		{"regex on another input's tag", [][]string{{"Match", "app.*"}, {"Match_Regex", "^aud"}}, ""},
		{"disjoint tags", [][]string{{"Match", "app.*"}, {"Match", "audit"}}, ""},
		{"one with buffer off", [][]string{{"Match", "app.*"}, {"Match", "app.*", "buffer", "off"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &config.Model{Service: fastService()}
			m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app.web"))
			m.Add(section(config.KindInput, "Name", "feed", "id", "b", "Tag", "audit"))
			for _, kv := range tc.filters {
				m.Add(section(config.KindFilter, append([]string{"Name", "holder"}, kv...)...))
			}
			m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
			_, err := New(m, Options{Registry: checkRegistry(t), Logs: logging.NewFactory(io.Discard, "text")})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), "list every multiline.parser in one multiline filter"):
				t.Errorf("error %v says nothing of the fix", err)
			}
		})
	}
}

func TestIgnoredKeysThatChangeDataFlowWarn(t *testing.T) {
	for _, tc := range []struct {
		name    string
		service []string
		input   []string
		filter  []string
		want    string
	}{
		{"Streams_File", []string{"Streams_File", "streams.conf"}, nil, nil,
			"test.conf:6: [SERVICE] Streams_File streams.conf: Sluice has no stream processor, so the [STREAM_TASK]s of that file are not run"},
		{"storage.type memrb", nil, []string{"storage.type", "memrb"}, nil, "storage.type memrb is run as memory: at Mem_Buf_Limit the input pauses"},
		{"Emitter_Storage.type filesystem", nil, nil, []string{"Emitter_Storage.type", "filesystem"},
			"Emitter_Storage.type filesystem is not supported: the records this filter emits are buffered in memory only"},
		{"none", nil, nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &config.Model{Service: fastService(tc.service...)}
			m.Add(section(config.KindInput, append([]string{"Name", "feed", "id", "a", "Tag", "app"}, tc.input...)...))
			m.Add(section(config.KindFilter, append([]string{"Name", "holder", "Match", "app"}, tc.filter...)...))
			m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
			p, err := New(m, Options{Registry: checkRegistry(t), Logs: logging.NewFactory(io.Discard, "text")})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(p.Warnings(), "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("warnings:\n%s\nwant %q", got, tc.want)
			}
		})
	}
}
