package stdin

import (
	"os"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the stdin input: its parameters are Fluent Bit's
// (plugins/in_stdin/in_stdin.c config_map).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "stdin",
		Summary: "read records from standard input, one JSON object, event or text line per line",
		Params: []plugin.Param{
			{Name: "Buffer_Size", Type: plugin.TypeSize, Default: "16k", Min: 1 << 10, Max: 1 << 30,
				Doc: "longest line read; longer lines are skipped with a warning"},
			{Name: "Parser", Doc: "name of a [PARSER] that reads each line instead of JSON; lines it does not match are kept as {\"log\": line}"},
		},
		Examples: []string{
			`[INPUT]
    Name  stdin
    Tag   app.numbers`,
			`[INPUT]
    Name         stdin
    Tag          import
    Buffer_Size  1M`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s, os.Stdin) },
	}
}
