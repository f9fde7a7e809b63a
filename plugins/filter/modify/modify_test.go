package modify

import (
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

func run(t *testing.T, kv []string, in ...string) []string {
	t.Helper()
	f, err := New(settings(t, append([]string{"Name", "modify", "Match", "*"}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	var out record.Builder
	events := batch(t, 100, in...)
	res, err := f.Filter("t", events, &out)
	if err != nil {
		t.Fatal(err)
	}
	if res == plugin.FilterUnchanged {
		return render(t, events)
	}
	return render(t, out.Bytes())
}

func TestRules(t *testing.T) {
	cases := []struct {
		name string
		kv   []string
		in   string
		want string
	}{
		{"Set overwrites and adds", []string{"Set", "a new", "Set", "b two words"}, `{"a":1}`, `{"a":"new","b":"two words"}`},
		{"Add only when absent", []string{"Add", "a x", "Add", "b y"}, `{"a":1}`, `{"a":1,"b":"y"}`},
		{"Remove", []string{"Remove", "a"}, `{"a":1,"b":2}`, `{"b":2}`},
		{"Remove_wildcard", []string{"Remove_wildcard", "Mem.*"}, `{"Mem.total":1,"Mem.used":2,"Swap":3}`, `{"Swap":3}`},
		{"Remove_regex", []string{"Remove_regex", `^tmp_\d+$`}, `{"tmp_1":1,"tmp_x":2,"keep":3}`, `{"tmp_x":2,"keep":3}`},
		{"Rename keeps an existing target", []string{"Rename", "a b"}, `{"a":1,"b":2}`, `{"a":1,"b":2}`},
		{"Rename", []string{"Rename", "a z"}, `{"a":1,"b":2}`, `{"z":1,"b":2}`},
		{"Hard_rename replaces the target", []string{"Hard_rename", "a b"}, `{"a":1,"b":2}`, `{"b":1}`},
		{"Copy keeps an existing target", []string{"Copy", "a b"}, `{"a":1,"b":2}`, `{"a":1,"b":2}`},
		{"Copy", []string{"Copy", "a c"}, `{"a":{"x":[1]}}`, `{"a":{"x":[1]},"c":{"x":[1]}}`},
		{"Hard_copy replaces", []string{"Hard_copy", "a b"}, `{"a":1,"b":2}`, `{"a":1,"b":1}`},
		{"Move_to_start and end", []string{"Move_to_start", "z*", "Move_to_end", "a"}, `{"a":1,"b":2,"z1":3,"z2":4}`, `{"z1":3,"z2":4,"b":2,"a":1}`},
		{"rules apply in written order", []string{"Rename", "a b", "Set", "a again", "Remove", "b"}, `{"a":1}`, `{"a":"again"}`},
		// Container Insights' dataplane filter: keep only three keys (a negative look-ahead).
		{"Remove_regex with look-ahead", []string{"Rename", "_HOSTNAME hostname", "Rename", "MESSAGE message",
			"Remove_regex", "^((?!hostname|systemd_unit|message).)*$"},
			`{"_HOSTNAME":"ip-10-0-1-23","_SYSTEMD_UNIT":"kubelet.service","MESSAGE":"started","PRIORITY":"6","_PID":"42"}`,
			`{"hostname":"ip-10-0-1-23","message":"started"}`},
		{"Remove_regex that gives up removes nothing", []string{"Remove_regex", "^(?=a)(a+)+$"},
			`{"` + strings.Repeat("a", 64) + `!":1,"aaaa":2}`, `{"` + strings.Repeat("a", 64) + `!":1}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := run(t, c.kv, c.in)
			if len(got) != 1 || got[0] != "100 "+c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	recs := []string{
		`{"level":"error","code":500,"k8s":{"ns":"prod"},"x_a":"1","x_b":"2"}`,
		`{"level":"info","code":200,"x_a":"1","x_b":"two"}`,
	}
	cases := []struct {
		cond string
		want []bool // whether each record got tagged
	}{
		{"Key_exists $k8s['ns']", []bool{true, false}},
		{"Key_does_not_exist k8s", []bool{false, true}},
		{"A_key_matches ^k8", []bool{true, false}},
		{"No_key_matches ^k8", []bool{false, true}},
		{"Key_value_equals level error", []bool{true, false}},
		{"Key_value_equals code 200", []bool{false, true}},
		{"Key_value_does_not_equal level error", []bool{false, true}},
		{"Key_value_matches code ^5\\d\\d$", []bool{true, false}},
		{"Key_value_does_not_match level ^err", []bool{false, true}},
		{"Matching_keys_have_matching_values ^x_ ^\\d+$", []bool{true, false}},
		{"Matching_keys_do_not_have_matching_values ^x_ ^[a-z]+$", []bool{true, false}},
		{"Key_value_equals missing x", []bool{false, false}},
		{"Key_value_matches level ^(?!info)", []bool{true, false}},
		{"A_key_matches ^(?<p>x)_(?!\\k<p>)", []bool{true, true}},
	}
	for _, c := range cases {
		got := run(t, []string{"Condition", c.cond, "Set", "hit yes"}, recs...)
		for i, want := range c.want {
			if hit := strings.Contains(got[i], `"hit":"yes"`); hit != want {
				t.Errorf("%s on record %d: hit = %v, want %v (%s)", c.cond, i, hit, want, got[i])
			}
		}
	}
	// Several conditions must all hold.
	got := run(t, []string{"Condition", "Key_exists level", "Condition", "Key_value_equals code 200", "Add", "hit yes"}, recs...)
	if strings.Contains(got[0], "hit") || !strings.Contains(got[1], "hit") {
		t.Errorf("AND of conditions: %q", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		kv   []string
		want string
	}{
		{[]string{"Condition", "Key_is_cool a"}, `unknown condition "Key_is_cool"`},
		{[]string{"Condition", "Key_value_equals a"}, `Key_value_equals takes 2 argument(s)`},
		{[]string{"Remove_regex", "(?=x"}, `Remove_regex: invalid regular expression: missing closing )`},
		{[]string{"Condition", "Key_exists $a['b"}, `record accessor`},
		{[]string{"Rename", "onlyone"}, `want 2 space-separated values`},
	} {
		sect := append([]string{"Name", "modify"}, c.kv...)
		_, err := func() (f *Filter, err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%v: panic %v", c.kv, r)
				}
			}()
			s, derr := trySettings(sect...)
			if derr != nil {
				return nil, derr
			}
			return New(s)
		}()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.kv, err, c.want)
		}
	}
}

func BenchmarkModify(b *testing.B) {
	f, err := New(settings(b, "Name", "modify", "Condition", "Key_exists log", "Set", "cluster prod", "Rename", "log message", "Remove", "stream"))
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([]string, 100)
	for i := range bodies {
		bodies[i] = `{"log":"GET /index.html 200","stream":"stdout","time":"2021-01-01T00:00:00Z","kubernetes":{"pod":"web-1","ns":"shop"}}`
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
