package grep

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the grep filter (Fluent Bit's filter_grep).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "grep",
		Summary: "keep or drop records whose fields match regular expressions",
		Params: []plugin.Param{
			{Name: "Regex", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "KEY REGEX: keep records whose KEY matches REGEX"},
			{Name: "Exclude", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "KEY REGEX: drop records whose KEY matches REGEX"},
			{Name: "Logical_Op", Default: "legacy", Options: []string{"legacy", "AND", "OR"}, Doc: "how several rules combine: legacy, AND or OR"},
		},
		Examples: []string{
			`[FILTER]
    Name    grep
    Match   app.*
    Regex   level ^(error|warn)$
    Exclude path ^/healthz`,
			`[FILTER]
    Name       grep
    Match      kube.*
    Logical_Op OR
    Regex      $kubernetes['labels']['app'] ^(api|web)$
    Regex      $kubernetes['namespace_name'] ^prod-`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
