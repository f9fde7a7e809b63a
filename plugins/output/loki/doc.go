// Package loki implements Fluent Bit's loki output: it pushes records to
// Grafana Loki's push API (POST /loki/api/v1/push, JSON), grouped into
// streams by their labels, on the shared client of internal/httpout.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/out_loki: host 127.0.0.1,
// port 3100, uri /loki/api/v1/push, labels (job=fluent-bit), label_keys,
// remove_keys, drop_single_key, line_format (json or key_value),
// auto_kubernetes_labels, structured_metadata, tenant_id
// (X-Scope-OrgID) and tenant_id_key (one request per tenant), http_user/http_passwd, bearer_token, compress gzip,
// Workers and tls*.
//
//   - labels is a comma-separated list of NAME=VALUE, where VALUE is a
//     literal or a record accessor ($kubernetes['namespace_name']), or of
//     bare accessors whose label name is their last key. label_keys lists
//     accessors the same way. Label names are made valid for Loki (any
//     character outside [A-Za-z0-9_] becomes _). A record without an
//     accessor's key does not get that label.
//   - auto_kubernetes_labels adds every string of $kubernetes['labels'].
//   - The line is the record as JSON (line_format json) or as
//     key="value" pairs separated by spaces (key_value), without the
//     remove_keys keys (top-level keys); with drop_single_key, a record left
//     with one key is sent as that value alone (a string as is).
//   - structured_metadata is a comma-separated list of NAME=VALUE like
//     labels, sent as each entry's third element.
//
// Entries are [time in nanoseconds as a string, line]. Loki answers 204;
// 429 throttles (Retry-After honoured), 5xx is retried, 400 (an entry too
// old, too long, or out of order) drops the chunk with Loki's message, as
// internal/httpout classifies.
//
// # Differences
//
// label_map_path and structured_metadata_map_keys are not
// supported yet (a configuration error says so); remove_keys takes
// top-level keys only.
package loki
