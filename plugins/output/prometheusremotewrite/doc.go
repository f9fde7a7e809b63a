// Package prometheusremotewrite implements the prometheus_remote_write
// output: it sends metric records (the shape the fluentbit_metrics input
// emits, read by internal/metricrecord) to a receiver of the Prometheus
// Remote-Write 1.0 protocol — Prometheus with
// --web.enable-remote-write-receiver, Amazon Managed Service for
// Prometheus, Mimir, Cortex, Thanos, VictoriaMetrics.
//
// # Requests
//
// Each chunk becomes one POST of a protobuf WriteRequest (encoded by hand
// with protowire), snappy-compressed (block format), with the headers
// Content-Encoding: snappy, Content-Type: application/x-protobuf and
// X-Prometheus-Remote-Write-Version: 0.1.0. A record becomes one sample of
// the series named by its metric and labels: the labels sorted by name,
// with __name__ set to the metric, add_label applied and labels with an
// empty value left out (Prometheus treats them as absent); the sample's
// timestamp is the record time in milliseconds. Samples are sorted by time
// within each series. The record's type is not sent (Remote-Write 1.0
// carries no metadata).
//
// Records that are not metric records are dropped and counted (reason
// permanent), with an error naming the first; the rest of the chunk is
// sent. The response status is classified by internal/httpout: 2xx is
// delivered; 429 and 5xx are retried with backoff (the records stay
// buffered); 401 and 403 are retried with a message about credentials;
// other 4xx, such as Prometheus's 400 for an out-of-order or duplicate
// sample, drop the chunk's records, counted.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's out_prometheus_remote_write:
// host, port (80), uri (/, a missing leading / is added), proxy, header,
// http_user/http_passwd, add_label, compression (snappy; gzip and zstd as
// in Fluent Bit 4), log_response_payload, Workers (2), tls.*, and SigV4
// with AWS_Auth, AWS_Region, AWS_Service (aps), AWS_Role_ARN,
// AWS_External_ID, AWS_STS_Endpoint and AWS_Profile. Fluent Bit reads
// cmetrics contexts; Sluice reads metric records, so any input or filter
// that produces that shape can feed it. Fluent Bit drops a chunk only on
// 400; Sluice drops on every 4xx but 401, 403, 408 and 429, as its other
// HTTP outputs do. With Workers above 1, two chunks may reach the receiver
// out of order, and Prometheus refuses a sample older than the newest of
// its series (400: dropped); Workers 1 keeps them in order.
package prometheusremotewrite
