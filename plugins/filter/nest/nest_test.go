package nest

import (
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestNest(t *testing.T) {
	cases := []struct {
		name string
		kv   []string
		in   string
		want string
	}{
		{"nest by prefix, Remove_prefix", []string{"Operation", "nest", "Wildcard", "Mem.*", "Nest_under", "memory", "Remove_prefix", "Mem."},
			`{"Mem.total":1,"cpu":2,"Mem.used":3}`, `{"cpu":2,"memory":{"total":1,"used":3}}`},
		{"nest exact keys, Add_prefix", []string{"Operation", "nest", "Wildcard", "a", "Wildcard", "b", "Nest_under", "m", "Add_prefix", "x_"},
			`{"a":1,"b":{"c":2},"ab":3}`, `{"ab":3,"m":{"x_a":1,"x_b":{"c":2}}}`},
		{"nest: nothing matches", []string{"Operation", "nest", "Wildcard", "zz*", "Nest_under", "m"}, `{"a":1}`, `{"a":1}`},
		{"lift with Add_prefix", []string{"Operation", "lift", "Nested_under", "kubernetes", "Add_prefix", "k8s_"},
			`{"log":"x","kubernetes":{"pod":"p","ns":"n"},"z":1}`, `{"log":"x","z":1,"k8s_pod":"p","k8s_ns":"n"}`},
		{"lift with Remove_prefix", []string{"Operation", "lift", "Nested_under", "m", "Remove_prefix", "m_"},
			`{"m":{"m_a":1,"b":2}}`, `{"a":1,"b":2}`},
		{"lift: not a map", []string{"Operation", "lift", "Nested_under", "m"}, `{"m":"text"}`, `{"m":"text"}`},
		{"lift: missing", []string{"Operation", "lift", "Nested_under", "m"}, `{"a":1}`, `{"a":1}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := New(settings(t, append([]string{"Name", "nest", "Match", "*"}, c.kv...)...))
			if err != nil {
				t.Fatal(err)
			}
			events := batch(t, 100, c.in)
			var out record.Builder
			res, err := f.Filter("t", events, &out)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, out.Bytes())
			if res == plugin.FilterUnchanged {
				got = render(t, events)
			}
			if len(got) != 1 || got[0] != "100 "+c.want {
				t.Errorf("got %q, want %s", got, c.want)
			}
		})
	}
}

func TestNestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		kv   []string
		want string
	}{
		{[]string{"Operation", "lift"}, "needs Nested_under"},
		{[]string{"Operation", "nest", "Wildcard", "a"}, "needs Nest_under"},
		{[]string{"Operation", "nest", "Nest_under", "m"}, "at least one Wildcard"},
		{[]string{"Operation", "flatten"}, "invalid value"},
	} {
		s, err := trySettings(append([]string{"Name", "nest"}, c.kv...)...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.kv, err, c.want)
		}
	}
}
