// Package metricrecord reads metric records: the shape the fluentbit_metrics
// input emits and the prometheus_exporter and prometheus_remote_write
// outputs take,
//
//	{"metric": "fluentbit_input_records_total", "type": "counter",
//	 "labels": {"name": "tail.0"}, "value": 1234}
//
// metric must be a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*);
// type, optional, is counter or gauge; labels, optional, maps label names
// ([a-zA-Z_][a-zA-Z0-9_]*, not __name__, each once) to UTF-8 strings;
// value is an integer or a float. A Parser decodes one record at a time
// straight from its msgpack bytes, with the labels sorted by name and the
// configured add_label pairs applied, and says why a record is not a metric
// record.
package metricrecord
