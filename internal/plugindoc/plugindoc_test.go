package plugindoc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/engine"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugindoc"
	"github.com/sluice-logs/sluice/plugins/all"
)

// docsDir is the repository's docs folder, relative to this package.
const docsDir = "../../docs"

// TestGeneratedDocs is the CI guard of the plugin reference: every
// built-in declaration passes CheckAll (each parameter documented, each
// default valid for its type and options, names unique, defaults-only
// sections decode), and the committed docs/ equal what the declarations
// generate now.
func TestGeneratedDocs(t *testing.T) {
	specs := all.Specs()
	if err := plugindoc.CheckAll(specs, engine.ServiceSpec()); err != nil {
		t.Fatalf("plugin declarations:\n%v", err)
	}
	files := plugindoc.Markdown(plugindoc.New(specs, engine.ServiceSpec()))
	diff, err := plugindoc.Diff(docsDir, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(diff) > 0 {
		t.Fatalf("the plugin reference in docs/ is out of date with the plugin declarations:\n  %s\nRefresh it with `%s` (go run ./cmd/sluice plugins --markdown-dir docs) and commit docs/.",
			strings.Join(diff, "\n  "), plugindoc.RefreshCommand)
	}
}

// TestMarkdownIsDeterministic renders the reference twice, once from the
// specs in reverse order, and expects the same bytes.
func TestMarkdownIsDeterministic(t *testing.T) {
	specs := all.Specs()
	a := plugindoc.Markdown(plugindoc.New(specs, engine.ServiceSpec()))
	rev := make([]plugin.Spec, len(specs))
	for i, s := range specs {
		rev[len(specs)-1-i] = s
	}
	b := plugindoc.Markdown(plugindoc.New(rev, engine.ServiceSpec()))
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two renderings", name)
		}
	}
	for _, want := range []string{"plugins/README.md", "service.md", "plugins/output/file.md", "plugins/filter/rewrite_tag.md"} {
		if a[want] == nil {
			t.Errorf("no %s", want)
		}
	}
}

// TestWriteDirRemovesStaleFiles writes the reference into a folder holding
// a page of a removed plugin and a hand-written page outside plugins/:
// Diff names the stale page, WriteDir removes it and keeps the other.
func TestWriteDirRemovesStaleFiles(t *testing.T) {
	dir := t.TempDir()
	files := plugindoc.Markdown(plugindoc.New(testSpecs(), engine.ServiceSpec()))
	stale := filepath.Join(dir, "plugins", "input", "gone.md")
	own := filepath.Join(dir, "guide.md")
	for _, p := range []string{stale, own} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	diff, err := plugindoc.Diff(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(diff, "\n")
	for _, want := range []string{"plugins/input/gone.md (not generated: stale)", "plugins/README.md (missing)", "service.md (missing)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("diff %q lacks %q", joined, want)
		}
	}
	if err := plugindoc.WriteDir(dir, files); err != nil {
		t.Fatal(err)
	}
	if diff, err := plugindoc.Diff(dir, files); err != nil || len(diff) > 0 {
		t.Errorf("after WriteDir: diff %v, err %v", diff, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale page kept: %v", err)
	}
	if _, err := os.Stat(own); err != nil {
		t.Errorf("hand-written page outside plugins/ removed: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "service.md"), []byte("edited by hand"), 0o644)
	if diff, _ := plugindoc.Diff(dir, files); len(diff) != 1 || diff[0] != "service.md (differs)" {
		t.Errorf("diff after a hand edit: %v", diff)
	}
}

// testSpecs are two small plugins for the rendering tests.
func testSpecs() []plugin.Spec {
	return []plugin.Spec{
		{Kind: plugin.KindOutput, Name: "sink", Summary: "discard records",
			Params: []plugin.Param{
				{Name: "Format", Default: "json", Options: []string{"json", "msgpack"}, Doc: "how to encode `a|b` for <plugin>.<n>"},
				{Name: "Workers", Type: plugin.TypeInt, Default: "2", Min: 1, Max: 8, Doc: "parallel flushes"},
			},
			Examples:  []string{"[OUTPUT]\n    Name sink\n    Match *"},
			NewOutput: func(plugin.Settings) (plugin.Output, error) { return nil, nil },
		},
		{Kind: plugin.KindFilter, Name: "retag", Summary: "re-tag records", Emits: true, DynamicTags: true,
			Params: []plugin.Param{
				{Name: "Rule", Type: plugin.TypeWords, Words: 2, Required: true, Multiple: true, Doc: "KEY TAG"},
			},
			NewFilter: func(plugin.Settings) (plugin.Filter, error) { return nil, nil },
		},
	}
}

// TestMarkdownPlugin checks a rendered page: tables escape pipes and
// angle brackets outside code, notes carry options, ranges and flags,
// the plugin's own Workers hides the common one, and an emitting filter
// lists the Emitter_* parameters.
func TestMarkdownPlugin(t *testing.T) {
	files := plugindoc.Markdown(plugindoc.New(testSpecs(), nil))
	sink := string(files["plugins/output/sink.md"])
	for _, want := range []string{
		"# `sink` output\n\nDiscard records.\n",
		"| `Format` | string | `json` | how to encode `a\\|b` for &lt;plugin&gt;.&lt;n&gt; <br>One of `json`, `msgpack`. |",
		"| `Workers` | integer | `2` | parallel flushes <br>From 1 to 8. |",
		"## Common output parameters",
		"| `Retry_Limit` | string | `no_limits` |",
		"```\n[OUTPUT]\n    Name sink\n    Match *\n```\n",
	} {
		if !strings.Contains(sink, want) {
			t.Errorf("sink page lacks %q:\n%s", want, sink)
		}
	}
	if strings.Count(sink, "`Workers`") != 1 {
		t.Errorf("Workers listed twice (own and common):\n%s", sink)
	}
	retag := string(files["plugins/filter/retag.md"])
	for _, want := range []string{
		"Required; may be repeated; 2 space-separated values",
		"| `Emitter_Mem_Buf_Limit` | size | `10M` |",
		"It re-tags records",
	} {
		if !strings.Contains(retag, want) {
			t.Errorf("retag page lacks %q:\n%s", want, retag)
		}
	}
	index := string(files["plugins/README.md"])
	if !strings.Contains(index, "| [`retag`](filter/retag.md) | re-tag records |") {
		t.Errorf("index lacks the retag row:\n%s", index)
	}
}

// TestWritePlugin checks the text view of `sluice plugins KIND NAME`.
func TestWritePlugin(t *testing.T) {
	cat := plugindoc.New(testSpecs(), nil)
	p, ok := cat.Lookup("output", "sink")
	if !ok {
		t.Fatal("no output sink")
	}
	var b bytes.Buffer
	if err := plugindoc.WritePlugin(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"output sink: discard records", "Parameters:", "Format", "(one of json, msgpack)",
		"Common output parameters:", "Retry_Limit", "Examples:\n  [OUTPUT]\n      Name sink"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if _, ok := cat.Lookup("input", "sink"); ok {
		t.Error("Lookup ignores the kind")
	}
}
