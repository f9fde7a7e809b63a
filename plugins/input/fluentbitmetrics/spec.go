package fluentbitmetrics

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the fluentbit_metrics input: its parameters and defaults are
// Fluent Bit's (plugins/in_fluentbit_metrics/metrics.c config_map).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "fluentbit_metrics",
		Summary: "emit the pipeline's own counters (records in and out, errors, retries, drops) as records",
		Params: []plugin.Param{
			{Name: "scrape_interval", Type: plugin.TypeDuration, Default: "2",
				Doc: "time between two scrapes; seconds, or with a unit (500ms, 1m)"},
			{Name: "scrape_on_start", Type: plugin.TypeBool, Default: "off",
				Doc: "scrape once at startup instead of waiting one scrape_interval for the first records"},
		},
		Examples: []string{
			`[INPUT]
    Name             fluentbit_metrics
    Tag              internal_metrics
    scrape_interval  2

[OUTPUT]
    Name   prometheus_exporter
    Match  internal_metrics
    Port   2021`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
