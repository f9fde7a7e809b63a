package ecs

import "testing"

// FuzzTemplate parses arbitrary Add templates: one that parses refers only
// to known metadata keys and renders with or without metadata.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"$ClusterName", "a.$TaskID.b", "$", "$$TaskID", "cost $5", "$Nope", "", "$TaskID['x']", "$TAG"} {
		f.Add(s)
	}
	full := map[string]string{}
	for _, k := range metadataKeys {
		full[k] = "v-" + k
	}
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := parseTemplate(s)
		if err != nil {
			return
		}
		for _, p := range tp.t.Paths() {
			if !known(p.TopKey()) {
				t.Fatalf("%q parsed with unknown key %q", s, p.TopKey())
			}
		}
		tp.render(nil)
		tp.render(full)
	})
}
