package dummy

import (
	"math"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the dummy input: its parameters and defaults are Fluent
// Bit's (plugins/in_dummy/in_dummy.c config_map, Fluent Bit 3.x and later).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "dummy",
		Summary: "generate a fixed record at a fixed rate, for tests, benchmarks and getting started",
		Params: []plugin.Param{
			{Name: "Dummy", Default: `{"message":"dummy"}`, Doc: "the record to generate, as one JSON object"},
			{Name: "Metadata", Default: `{}`, Doc: "the metadata of each record, as one JSON object"},
			{Name: "Rate", Type: plugin.TypeInt, Default: "1", Min: 0, Max: 1e9,
				Doc: "emissions per second (1 or less: one a second); ignored when Interval_sec or Interval_nsec is set"},
			{Name: "Interval_sec", Type: plugin.TypeInt, Default: "0", Min: 0, Max: 366 * 86400,
				Doc: "seconds between emissions, added to Interval_nsec; overrides Rate when either is above 0"},
			{Name: "Interval_nsec", Type: plugin.TypeInt, Default: "0", Min: 0, Max: 999_999_999,
				Doc: "nanoseconds between emissions, added to Interval_sec; overrides Rate when either is above 0"},
			{Name: "Samples", Type: plugin.TypeInt, Default: "0", Min: 0, Max: math.MaxInt64,
				Doc: "emissions after which the input stops (each of Copies records); 0: no limit"},
			{Name: "Copies", Type: plugin.TypeInt, Default: "1", Min: 1, Max: 1_000_000,
				Doc: "records generated per emission"},
			{Name: "Start_time_sec", Type: plugin.TypeInt, Default: "-1", Min: -1, Max: 9_000_000_000,
				Doc: "timestamp of the first emission, in seconds since the epoch; -1 (with Start_time_nsec -1): the current time"},
			{Name: "Start_time_nsec", Type: plugin.TypeInt, Default: "-1", Min: -1, Max: 999_999_999,
				Doc: "nanoseconds added to Start_time_sec; -1 (with Start_time_sec -1): the current time"},
			{Name: "Fixed_timestamp", Type: plugin.TypeBool, Default: "off",
				Doc: "give every record the same timestamp: the start time, or the time the input started"},
			{Name: "Flush_on_startup", Type: plugin.TypeBool, Default: "off",
				Doc: "generate the first emission at startup instead of one interval later"},
		},
		Examples: []string{
			`[INPUT]
    Name   dummy
    Tag    app.demo
    Dummy  {"message": "hello from sluice", "level": "info"}
    Rate   1`,
			`[INPUT]
    Name            dummy
    Tag             bench
    Rate            200000
    Mem_Buf_Limit   64M`,
			`[INPUT]
    Name             dummy
    Tag              replay
    Dummy            {"event": "login", "user": "alice"}
    Metadata         {"source": "fixture"}
    Samples          3
    Copies           2
    Start_time_sec   1700000000
    Fixed_timestamp  on`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
