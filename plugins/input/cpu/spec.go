package cpu

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the cpu input: its parameters and defaults are Fluent
// Bit's (plugins/in_cpu/cpu.c).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "cpu",
		Summary: "emit CPU usage in percent (system and per core, or one process) every interval",
		Params: append(plugin.IntervalParams("records"),
			plugin.Param{Name: "PID", Type: plugin.TypeInt, Min: -1, Max: 1 << 22,
				Doc: "measure only this process (from /proc/PID/stat) instead of the whole system; -1 or 0: the whole system (Fluent Bit's unset value)"}),
		Examples: []string{
			`[INPUT]
    Name          cpu
    Tag           cpu.local
    Interval_Sec  10`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
