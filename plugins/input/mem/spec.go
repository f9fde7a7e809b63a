package mem

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the mem input: its parameters and defaults are Fluent
// Bit's (plugins/in_mem/mem.c config_map).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "mem",
		Summary: "emit memory and swap usage (and one process's resident size) every interval",
		Params: append(plugin.IntervalParams("records"),
			plugin.Param{Name: "PID", Type: plugin.TypeInt, Min: -1, Max: 1 << 22,
				Doc: "also report this process's resident set size (proc_bytes, proc_hr); 0 or -1: none"}),
		Examples: []string{
			`[INPUT]
    Name          mem
    Tag           memory
    Interval_Sec  10`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
