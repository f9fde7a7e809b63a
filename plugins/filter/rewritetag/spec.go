package rewritetag

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the rewrite_tag filter (Fluent Bit's filter_rewrite_tag).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:        plugin.KindFilter,
		Name:        "rewrite_tag",
		Summary:     "emit records whose field matches a rule again under a new tag",
		DynamicTags: true,
		Emits:       true,
		Params: []plugin.Param{
			{Name: "Rule", Type: plugin.TypeWords, Words: 4, Multiple: true, Required: true,
				Doc: "KEY REGEX NEW_TAG KEEP: re-tag records whose KEY matches REGEX; KEEP true keeps the original too"},
		},
		Examples: []string{
			`[FILTER]
    Name                  rewrite_tag
    Match                 app.*
    Rule                  $level ^(error|fatal)$ alerts.$TAG[1] true
    Emitter_Name          re_emitted
    Emitter_Mem_Buf_Limit 10M`,
			`[FILTER]
    Name   rewrite_tag
    Match  kube.*
    Rule   $kubernetes['namespace_name'] ^(.+)$ ns.$1 false`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
