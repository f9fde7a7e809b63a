// Package http implements Fluent Bit's http output: it POSTs (or PUTs) the
// records of each chunk to an HTTP endpoint, on the shared client of
// internal/httpout (connection reuse, TLS, gzip, basic auth, SigV4).
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/out_http (host 127.0.0.1,
// port 80, uri /, format msgpack, json_date_key date, json_date_format
// double). Bodies:
//
//   - msgpack: the chunk's events as they are (application/msgpack);
//   - json: one JSON array of the records (application/json);
//   - json_lines: one record per line (application/x-ndjson);
//   - json_stream: the records' JSON back to back (application/x-ndjson);
//   - gelf: one GELF 1.1 message per request, as Fluent Bit posts them.
//
// The JSON formats put the time first under json_date_key (json_date_key
// false leaves it out). A chunk goes in one request; the engine's chunks
// are at most 2 MiB.
//
// Responses: 2xx delivered; 429 and 503 throttle (Retry-After honoured);
// 408, 5xx, 401 and 403 are retried; any other status is permanent and the
// chunk is dropped, counted and logged with the response (see
// internal/httpout).
//
// # Differences
//
//   - Fluent Bit retries every non-2xx status; Sluice drops a chunk the
//     server refuses with 400, 404, 413 or another 4xx except 401, 403, 408
//     and 429, since sending it again gets the same answer.
//   - headers_key, body_key, compress snappy/zstd and the OAuth2 options
//     are not supported (a configuration error says so).
package http
