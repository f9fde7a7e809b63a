// Package fluentbitmetrics implements the fluentbit_metrics input: every
// scrape_interval it emits the running pipeline's own counters as records,
// so they can be filtered, routed and shipped like logs (or served again by
// the prometheus_exporter output).
//
// # Records
//
// One record per sample of every per-instance family the monitoring server
// exports (metrics.Registry.Families: fluentbit_input_*, fluentbit_filter_*,
// fluentbit_output_*, then sluice_*), all with the scrape time as record
// time:
//
//	{"metric": "fluentbit_input_records_total", "type": "counter",
//	 "labels": {"name": "tail.0"}, "value": 1234}
//
// type is "counter" or "gauge"; labels holds the sample's labels (name, and
// reason for sluice_output_dropped_records_total); value is a whole number.
// The input's own records count in its fluentbit_input_records_total, as in
// Fluent Bit.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's in_fluentbit_metrics:
// scrape_interval (2 seconds) and scrape_on_start (off: the first scrape is
// one interval after start). Fluent Bit emits metrics as a cmetrics context
// on a separate metrics pipeline that filters do not see; Sluice has one
// kind of record, so its metrics are ordinary records that filters do see.
// The process-wide fluentbit_uptime and build_info families are served by
// the monitoring server only.
package fluentbitmetrics
