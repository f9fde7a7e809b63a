package prometheusexporter

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the prometheus_exporter output: its parameters and defaults
// are Fluent Bit's (plugins/out_prometheus_exporter/prom.c config_map).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "prometheus_exporter",
		Summary: "serve the latest value of each metric record at /metrics for Prometheus to scrape",
		Params: []plugin.Param{
			{Name: "host", Default: "0.0.0.0", Doc: "address to listen on"},
			{Name: "port", Type: plugin.TypeInt, Default: "2021", Min: 0, Max: 65535,
				Doc: "TCP port to listen on (0: any free port)"},
			{Name: "add_label", Type: plugin.TypeWords, Words: 2, Multiple: true,
				Doc: "a label name and value added to every sample, e.g. app sluice; repeat for more"},
		},
		Examples: []string{
			`[INPUT]
    Name  fluentbit_metrics
    Tag   internal_metrics

[OUTPUT]
    Name       prometheus_exporter
    Match      internal_metrics
    Port       2021
    add_label  app sluice
    add_label  cluster prod`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
