package ecs

import (
	"strings"
	"testing"
)

// FuzzTemplate parses arbitrary Add templates: a template that parses
// renders its literal text unchanged when the metadata is empty.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"$ClusterName", "a.$TaskID.b", "$", "$$TaskID", "cost $5", "$Nope", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := parseTemplate(s)
		if err != nil {
			return
		}
		var lit strings.Builder
		for _, p := range tp.parts {
			lit.WriteString(p.literal)
		}
		if got := tp.render(nil); got != lit.String() {
			t.Fatalf("%q renders %q with no metadata, want %q", s, got, lit.String())
		}
	})
}
