package multiline

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec returns the multiline filter's declaration.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "multiline",
		Summary: "join the lines of stack traces and split container lines into one record",
		Emits:   true,
		// Filter holds the instance's mutex while it emits (see doc.go).
		EmitsWhileLocked: func(c *plugin.Config) bool { return c.Bool("buffer") },
		Params: []plugin.Param{
			{Name: "multiline.parser", Type: plugin.TypeCommaList, Multiple: true,
				Doc: "multiline parsers applied in order: docker, cri, go, java, python or a [MULTILINE_PARSER] name (mode parser needs one)"},
			{Name: "multiline.key_content",
				Doc: "key holding the text to join (default log, or the named [MULTILINE_PARSER]'s key_content)"},
			{Name: "mode", Default: "parser", Options: []string{"parser", "partial_message"},
				Doc: "parser joins lines with multiline.parser; partial_message joins the pieces Docker marked with partial_message, partial_id and partial_last"},
			{Name: "buffer", Type: plugin.TypeBool, Default: "true",
				Doc: "hold lines across batches and re-emit records through the emitter; off joins within one batch only"},
			{Name: "flush_ms", Type: plugin.TypeInt, Default: "2000", Min: 1, Max: 3600000,
				Doc: "milliseconds a group waits for its next line before it is emitted as it is (buffer on)"},
		},
		Examples: []string{
			`[FILTER]
    Name                  multiline
    Match                 app.*
    multiline.key_content log
    multiline.parser      java, python, go`,
			`[FILTER]
    Name                  multiline
    Match                 kube.*
    multiline.parser      cri, java
    flush_ms              1000
    Emitter_Mem_Buf_Limit 20M`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
