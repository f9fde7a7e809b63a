package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPluginsCommand drives `sluice plugins` as a user would: the listing,
// one plugin's parameters and examples, the [SERVICE] keys, the JSON form,
// and the errors of a wrong kind or name.
func TestPluginsCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string // in stdout for code 0, in stderr otherwise
	}{
		{"listing", []string{"plugins"}, 0, []string{"Input plugins:", "Filter plugins:", "Output plugins:",
			"  dummy ", "  rewrite_tag ", "  cloudwatch_logs ", "[SERVICE] keys: sluice plugins service"}},
		{"one kind", []string{"plugins", "outputs"}, 0, []string{"Output plugins:", "  s3 "}},
		{"one plugin", []string{"plugins", "output", "cloudwatch_logs"}, 0, []string{
			"output cloudwatch_logs: send records to Amazon CloudWatch Logs",
			"log_group_name", "(required)", "log_group_class", "one of STANDARD, INFREQUENT_ACCESS",
			"Common output parameters:", "Retry_Limit", "no_limits", "Examples:\n  [OUTPUT]"}},
		{"emitting filter", []string{"plugins", "filter", "rewrite_tag"}, 0, []string{"Rule", "may be repeated", "Emitter_Mem_Buf_Limit"}},
		{"service keys", []string{"plugins", "service"}, 0, []string{"[SERVICE] keys:", "Flush", "storage.path", "HTTP_Port"}},
		{"plugin name without kind", []string{"plugins", "forward"}, 2, []string{
			"unknown kind", "`sluice plugins input forward` or `sluice plugins output forward`"}},
		{"unknown plugin", []string{"plugins", "output", "kafka_rest_proxy"}, 2, []string{`unknown output plugin "kafka_rest_proxy"`, "sluice plugins output"}},
		{"unknown flag", []string{"plugins", "--yaml"}, 2, []string{`unknown flag "--yaml"`, "Usage: sluice plugins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := run(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			out := stdout
			if code != 0 {
				out = stderr
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// pluginsJSONParam is a parameter of `sluice plugins --json`.
type pluginsJSONParam struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Default  string   `json:"default"`
	Required bool     `json:"required"`
	Multiple bool     `json:"multiple"`
	Options  []string `json:"options"`
	Min      *int64   `json:"min"`
	Max      *int64   `json:"max"`
	Doc      string   `json:"doc"`
}

// pluginsJSONPlugin is a plugin of `sluice plugins --json`.
type pluginsJSONPlugin struct {
	Kind     string             `json:"kind"`
	Name     string             `json:"name"`
	Summary  string             `json:"summary"`
	Params   []pluginsJSONParam `json:"params"`
	Common   []pluginsJSONParam `json:"common_params"`
	Examples []string           `json:"examples"`
}

// TestPluginsJSON reads the machine form: the whole catalog, and one
// plugin, whose examples then pass `sluice validate` — what a tool that
// generates configurations from the JSON would rely on.
func TestPluginsJSON(t *testing.T) {
	stdout, stderr, code := run(t, "plugins", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var cat struct {
		Plugins []pluginsJSONPlugin `json:"plugins"`
		Service []pluginsJSONParam  `json:"service"`
	}
	if err := json.Unmarshal([]byte(stdout), &cat); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	kinds := map[string]int{}
	for _, p := range cat.Plugins {
		kinds[p.Kind]++
		if p.Summary == "" || len(p.Common) == 0 {
			t.Errorf("%s %s: summary %q, %d common parameters", p.Kind, p.Name, p.Summary, len(p.Common))
		}
	}
	if kinds["input"] == 0 || kinds["filter"] == 0 || kinds["output"] == 0 {
		t.Errorf("plugins per kind: %v", kinds)
	}
	var flush *pluginsJSONParam
	for i := range cat.Service {
		if cat.Service[i].Name == "Flush" {
			flush = &cat.Service[i]
		}
	}
	if flush == nil || flush.Type != "duration" || flush.Default != "1" {
		t.Errorf("service Flush: %+v", flush)
	}

	stdout, stderr, code = run(t, "plugins", "output", "file", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var file pluginsJSONPlugin
	if err := json.Unmarshal([]byte(stdout), &file); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	var format, workers *pluginsJSONParam
	for i := range file.Params {
		if file.Params[i].Name == "Format" {
			format = &file.Params[i]
		}
	}
	for i := range file.Common {
		if file.Common[i].Name == "Workers" {
			workers = &file.Common[i]
		}
	}
	if format == nil || format.Default != "out_file" || !pluginsContains(format.Options, "plain") {
		t.Errorf("file Format: %+v", format)
	}
	if workers == nil || workers.Min == nil || *workers.Min != 1 || *workers.Max != 256 {
		t.Errorf("common Workers: %+v", workers)
	}
	dir := t.TempDir()
	for i, ex := range file.Examples {
		conf := writeFile(t, dir, "example.conf", "[INPUT]\n    Name dummy\n    Tag  app.web\n\n"+ex+"\n")
		if _, stderr, code := run(t, "validate", "-c", conf); code != 0 {
			t.Errorf("example %d does not validate: %s", i+1, stderr)
		}
	}
}

// TestPluginsMarkdownDir runs the documented refresh command into an empty
// folder and expects exactly the committed docs/ reference: what `make
// docs` writes is what CI checks.
func TestPluginsMarkdownDir(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := run(t, "plugins", "--markdown-dir", dir)
	if code != 0 || !strings.Contains(stdout, "wrote ") {
		t.Fatalf("exit %d; stdout %q; stderr:\n%s", code, stdout, stderr)
	}
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		rel, _ := filepath.Rel(dir, path)
		got, _ := os.ReadFile(path)
		want, err := os.ReadFile(filepath.Join("..", "docs", rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/%s differs from what `sluice plugins --markdown-dir` writes (run make docs): %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"plugins/README.md", "service.md", "plugins/output/cloudwatch_logs.md", "plugins/input/dummy.md"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("not written: %s", want)
		}
	}
	if n < 4 {
		t.Errorf("%d files written", n)
	}
}

func pluginsContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
