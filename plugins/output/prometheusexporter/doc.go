// Package prometheusexporter implements the prometheus_exporter output: it
// keeps the latest value of every metric record it receives and serves them
// at /metrics in the Prometheus text exposition format (0.0.4), for a
// Prometheus server to scrape.
//
// # Records
//
// A metric record is shaped as the fluentbit_metrics input emits it:
//
//	{"metric": "fluentbit_input_records_total", "type": "counter",
//	 "labels": {"name": "tail.0"}, "value": 1234}
//
// Records are read by internal/metricrecord (shared with
// prometheus_remote_write): metric must be a valid Prometheus metric name;
// type is counter or gauge (anything else is served as untyped); labels,
// optional, maps label names to string values; value is an integer or a
// float. A series is identified
// by its metric name and labels (in any order): a newer record replaces its
// value. Series are kept for the life of the process. Records of another
// shape are counted and skipped, with one warning naming the first of them.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's out_prometheus_exporter: host
// (0.0.0.0), port (2021) and add_label ("name value", repeatable: a label
// added to every sample, overriding a record's label of that name). The
// listener is bound when the pipeline starts (plugin.Starter), not when the
// configuration is validated; if the port is taken, the error is logged and
// every Flush tries again, failing (and so retried by the engine) until it
// binds. Fluent Bit serves HELP lines from its cmetrics contexts; records
// carry no HELP text, so only TYPE lines are written.
package prometheusexporter
