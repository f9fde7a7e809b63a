package exec

import (
	"slices"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the exec input with Fluent Bit's parameters
// (plugins/in_exec/in_exec.c config_map).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "exec",
		Summary: "run a shell command every interval (or once) and read each line it prints as a record",
		Params: slices.Concat([]plugin.Param{
			{Name: "Command", Required: true, Doc: "command to run with /bin/sh -c"},
			{Name: "Parser", Doc: "parser of the lines; without one a line is {\"exec\": line}"},
		}, plugin.IntervalParams("runs"), []plugin.Param{
			{Name: "Buf_Size", Type: plugin.TypeSize, Default: "4096", Min: 16, Max: 1 << 30, Doc: "longest line; longer lines are cut into pieces of this size"},
			{Name: "Oneshot", Type: plugin.TypeBool, Default: "off", Doc: "run the command once, at start"},
			{Name: "Exit_After_Oneshot", Type: plugin.TypeBool, Default: "off", Doc: "stop Sluice once the command has run (implies Oneshot): its output is delivered, then the process exits, so Sluice can wrap a command"},
			{Name: "Propagate_Exit_Code", Type: plugin.TypeBool, Default: "off", Doc: "with Exit_After_Oneshot, exit with the command's exit code (128+N when a signal N killed it)"},
		}),
		Examples: []string{
			`[INPUT]
    Name          exec
    Tag           disk
    Command       df -P / | tail -n 1
    Interval_Sec  60`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
