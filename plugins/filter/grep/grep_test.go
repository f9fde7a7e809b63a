package grep

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var records = []string{
	`{"n":0,"level":"error","path":"/api","k":{"app":"api"}}`,
	`{"n":1,"level":"info","path":"/healthz","k":{"app":"web"}}`,
	`{"n":2,"level":"warn","path":"/api","code":503}`,
	`{"n":3,"path":"/x","k":{"app":"db"}}`,
}

func kept(t *testing.T, kv ...string) string {
	t.Helper()
	f, err := New(settings(t, append([]string{"Name", "grep", "Match", "*"}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	events := batch(t, 100, records...)
	var out record.Builder
	res, err := f.Filter("t", events, &out)
	if err != nil {
		t.Fatal(err)
	}
	if res == plugin.FilterUnchanged {
		out.Reset()
		out.AppendRawValue(events)
	}
	var ns []string
	for _, line := range render(t, out.Bytes()) {
		i := strings.Index(line, `"n":`)
		ns = append(ns, line[i+4:i+5])
	}
	return strings.Join(ns, ",")
}

func TestGrep(t *testing.T) {
	cases := []struct {
		name string
		kv   []string
		want string
	}{
		{"Regex keeps matches; missing keys do not match", []string{"Regex", "level ^(error|warn)$"}, "0,2"},
		{"Exclude drops matches; missing keys stay", []string{"Exclude", "k ^\\{"}, "2"},
		{"legacy: all Regex and no Exclude", []string{"Regex", "path ^/api$", "Exclude", "level ^warn"}, "0"},
		{"record accessor", []string{"Regex", "$k['app'] ^(api|db)$"}, "0,3"},
		{"numbers compare as text", []string{"Regex", "code ^5"}, "2"},
		{"AND of Regex", []string{"Logical_Op", "AND", "Regex", "path ^/api$", "Regex", "level error"}, "0"},
		{"OR of Regex", []string{"Logical_Op", "OR", "Regex", "level ^info$", "Regex", "$k['app'] db"}, "1,3"},
		{"AND of Exclude", []string{"Logical_Op", "AND", "Exclude", "path ^/api$", "Exclude", "level error"}, "1,2,3"},
		{"OR of Exclude", []string{"Logical_Op", "or", "Exclude", "path ^/api$", "Exclude", "level info"}, "3"},
		{"no rules", nil, "0,1,2,3"},
		{"look-ahead (backtracking engine)", []string{"Regex", "path ^/(?!healthz)"}, "0,2,3"},
		{"look-behind in an Exclude", []string{"Exclude", "path (?<=/)api"}, "1,3"},
		{"backreference", []string{"Regex", `$k['app'] ^(\w)\w\1$`}, ""},
	}
	for _, c := range cases {
		if got := kept(t, c.kv...); got != c.want {
			t.Errorf("%s: kept %q, want %q", c.name, got, c.want)
		}
	}
}

func TestGrepConfigErrors(t *testing.T) {
	for _, c := range []struct {
		kv   []string
		want string
	}{
		{[]string{"Logical_Op", "AND", "Regex", "a b", "Exclude", "c d"}, "cannot be mixed"},
		{[]string{"Regex", "a (?<=x"}, "Regex: invalid regular expression: missing closing )"},
		{[]string{"Regex", "$a[ x"}, "record accessor"},
		{[]string{"Logical_Op", "XOR"}, "invalid value"},
	} {
		s, err := trySettings(append([]string{"Name", "grep"}, c.kv...)...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.kv, err, c.want)
		}
	}
}

func BenchmarkGrep(b *testing.B) {
	f, err := New(settings(b, "Name", "grep", "Regex", "log (ERROR|WARN)", "Exclude", "$kubernetes['ns'] ^kube-"))
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([]string, 100)
	for i := range bodies {
		bodies[i] = `{"log":"2021-01-01 ERROR request failed","stream":"stdout","kubernetes":{"pod":"web-1","ns":"shop"}}`
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

// TestGrepMatchThatGivesUp checks that a catastrophic pattern does not stop
// the filter: the record it gave up on counts as not matching (an Exclude
// keeps it), the others are decided as usual, and a warning says so.
func TestGrepMatchThatGivesUp(t *testing.T) {
	s := settings(t, "Name", "grep", "Match", "*", "Exclude", "msg ^(?=a)(a+)+$")
	var logs strings.Builder
	s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	f, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 64) + "!"
	events := batch(t, 100, `{"n":0,"msg":"aaaa"}`, `{"n":1,"msg":"`+long+`"}`, `{"n":2,"msg":"b"}`)
	var out record.Builder
	if _, err := f.Filter("t", events, &out); err != nil {
		t.Fatal(err)
	}
	got := render(t, out.Bytes())
	if len(got) != 2 || !strings.Contains(got[0], `"n":1`) || !strings.Contains(got[1], `"n":2`) {
		t.Errorf("kept %q, want records 1 (gave up: not excluded) and 2", got)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "treated as not matching") {
		t.Errorf("no warning:\n%s", logs.String())
	}
}
