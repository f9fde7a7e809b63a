package lua

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

func runLua(t *testing.T, kv []string, in ...string) ([]string, error) {
	t.Helper()
	f, err := New(settings(t, append([]string{"Name", "lua", "Match", "*"}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	events := batch(t, 100, in...)
	var out record.Builder
	res, err := f.Filter("app.web", events, &out)
	if err != nil {
		return nil, err
	}
	if res == plugin.FilterUnchanged {
		return render(t, events), nil
	}
	return render(t, out.Bytes()), nil
}

func TestReturnCodes(t *testing.T) {
	code := `
function cb(tag, ts, r)
  if r.action == "drop" then return -1, ts, r end
  if r.action == "keep" then r.ignored = true; return 0, ts, r end
  if r.action == "time" then r.tag = tag; return 1, ts + 50, r end
  if r.action == "split" then return 2, ts, {{part = 1}, {part = 2, nested = {a = {1, 2, 3}}}} end
  r.added = 1.5
  r.count = 3
  return 2, 0, r
end`
	got, err := runLua(t, []string{"call", "cb", "code", code},
		`{"action":"drop"}`, `{"action":"keep"}`, `{"action":"time"}`, `{"action":"split"}`, `{"action":"other","n":null}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`100 {"action":"keep"}`,
		`150 {"action":"time","tag":"app.web"}`,
		`100 {"part":1}`,
		`100 {"part":2,"nested":{"a":[1,2,3]}}`,
		`100 {"action":"other","added":1.5,"count":3}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTypesAndTimeAsTable(t *testing.T) {
	code := `
function cb(tag, ts, r)
  r.status = "404"
  r.ratio = 2.0
  r.empty = {}
  r.list = {}
  ts.sec = ts.sec + 1
  return 1, ts, r
end`
	got, err := runLua(t, []string{"call", "cb", "code", code, "time_as_table", "on", "type_int_key", "status ratio", "type_array_key", "list"}, `{"a":"x"}`)
	if err != nil {
		t.Fatal(err)
	}
	// Lua tables do not keep key order: compare the fields.
	if len(got) != 1 || !strings.HasPrefix(got[0], "101 {") {
		t.Fatalf("got %q", got)
	}
	for _, want := range []string{`"a":"x"`, `"status":404`, `"ratio":2`, `"empty":{}`, `"list":[]`} {
		if !strings.Contains(got[0], want) {
			t.Errorf("%s lacks %s", got[0], want)
		}
	}
}

func TestScriptFileAndErrors(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "f.lua")
	os.WriteFile(script, []byte(`function boom(tag, ts, r) if r.bad then error("bad record") end return 0, ts, r end`), 0o644)
	// protected_mode on: the failing record is kept as it came.
	got, err := runLua(t, []string{"call", "boom", "script", script}, `{"bad":true}`, `{"ok":1}`)
	if err != nil || len(got) != 2 || got[0] != `100 {"bad":true}` {
		t.Errorf("protected: %q, %v", got, err)
	}
	// protected_mode off: the batch fails (the engine passes it on).
	if _, err := runLua(t, []string{"call", "boom", "script", script, "protected_mode", "off"}, `{"bad":true}`); err == nil || !strings.Contains(err.Error(), "bad record") {
		t.Errorf("unprotected: err = %v", err)
	}
	for _, c := range []struct {
		kv   []string
		want string
	}{
		{[]string{"call", "nope", "script", script}, `defines no function "nope"`},
		{[]string{"call", "f", "code", "function f( end"}, `code:`},
		{[]string{"call", "f", "script", filepath.Join(dir, "missing.lua")}, "cannot read the script"},
		{[]string{"call", "f"}, "set script (a file) or code"},
	} {
		s, err := trySettings(append([]string{"Name", "lua"}, c.kv...)...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.kv, err, c.want)
		}
	}
	// code wins over script, as in Fluent Bit.
	got, err = runLua(t, []string{"call", "f", "script", script, "code", `function f(t, ts, r) r.code = 1; return 2, ts, r end`}, `{"a":1}`)
	if err != nil || got[0] != `100 {"a":1,"code":1}` {
		t.Errorf("code and script: %q %v", got, err)
	}
	// A relative script is found beside the configuration file.
	if got := resolveScript("f.lua", filepath.Join(dir, "fluent-bit.conf")); got != script {
		t.Errorf("resolveScript = %q, want %q", got, script)
	}
	// A bad return code is a script error.
	got, err = runLua(t, []string{"call", "f", "code", `function f(t, ts, r) return 7, ts, r end`}, `{"a":1}`)
	if err != nil || got[0] != `100 {"a":1}` {
		t.Errorf("bad code: %q %v", got, err)
	}
}

func BenchmarkLua(b *testing.B) {
	f, err := New(settings(b, "Name", "lua", "call", "cb", "code", `function cb(tag, ts, r) r.env = "prod"; return 2, ts, r end`))
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([]string, 100)
	for i := range bodies {
		bodies[i] = `{"log":"GET /index.html 200","stream":"stdout","kubernetes":{"pod":"web-1","ns":"shop"}}`
	}
	events := batch(b, 100, bodies...)
	b.SetBytes(int64(len(events)))
	b.ReportAllocs()
	var out record.Builder
	for b.Loop() {
		out.Reset()
		if _, err := f.Filter("t", events, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentUse runs the filter from several goroutines, as inputs do;
// run with -race.
func TestConcurrentUse(t *testing.T) {
	f, err := New(settings(t, "Name", "lua", "call", "cb", "code", `function cb(tag, ts, r) r.n = r.n + 1; return 2, ts, r end`))
	if err != nil {
		t.Fatal(err)
	}
	events := batch(t, 1, `{"n":1}`, `{"n":2}`)
	done := make(chan string)
	for range 4 {
		go func() {
			var out record.Builder
			for range 50 {
				out.Reset()
				if _, err := f.Filter("t", events, &out); err != nil {
					done <- err.Error()
					return
				}
			}
			done <- strings.Join(render(t, out.Bytes()), ",")
		}()
	}
	for range 4 {
		if got := <-done; got != `1 {"n":2},1 {"n":3}` {
			t.Errorf("got %s", got)
		}
	}
}
