package null

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the null output. Its parameters are Fluent Bit's
// (plugins/out_null/null.c config_map), accepted and ignored.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "null",
		Summary: "discard every record; the engine still counts them as delivered",
		Params: []plugin.Param{
			{Name: "Format", Options: []string{"msgpack", "json", "json_lines", "json_stream"},
				Doc: "accepted for Fluent Bit compatibility; nothing is formatted"},
			{Name: "json_date_key", Default: "date", Doc: "accepted for Fluent Bit compatibility; nothing is formatted"},
			{Name: "json_date_format", Options: []string{"double", "epoch", "epoch_ms", "epoch_millis", "epoch_milliseconds", "iso8601", "java_sql_timestamp"},
				Doc: "accepted for Fluent Bit compatibility; nothing is formatted"},
		},
		Examples: []string{
			`[OUTPUT]
    Name   null
    Match  debug.*`,
		},
		NewOutput: func(plugin.Settings) (plugin.Output, error) { return New(), nil },
	}
}
