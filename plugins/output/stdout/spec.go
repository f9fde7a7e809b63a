package stdout

import (
	"os"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the stdout output: its parameters are Fluent Bit's
// (plugins/out_stdout/stdout.c config_map and flb_pack.c's format names).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "stdout",
		Summary: "print records to standard output, in Fluent Bit's msgpack dump or as JSON",
		Params: []plugin.Param{
			{Name: "Format", Default: "msgpack", Options: []string{"msgpack", "json", "json_lines", "json_stream"},
				Doc: "msgpack prints `[n] tag: [[time, {meta}], {body}]`; json one array per chunk; json_lines one object per line; json_stream objects back to back"},
			{Name: "json_date_key", Default: "date",
				Doc: "key of the record time in the JSON formats; false, off or no leaves the time out"},
			{Name: "json_date_format", Default: "double",
				Options: []string{"double", "epoch", "epoch_ms", "epoch_millis", "epoch_milliseconds", "iso8601", "java_sql_timestamp"},
				Doc:     "how the JSON formats write the time: double (seconds with decimals), epoch (seconds), epoch_ms, iso8601 (2018-05-30T09:39:52.000681Z) or java_sql_timestamp (2018-05-30 09:39:52.000681)"},
		},
		Examples: []string{
			`[OUTPUT]
    Name   stdout
    Match  *`,
			`[OUTPUT]
    Name              stdout
    Match             app.*
    Format            json_lines
    json_date_key     timestamp
    json_date_format  iso8601`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s, os.Stdout) },
	}
}
