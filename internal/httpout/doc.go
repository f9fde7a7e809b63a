// Package httpout is the HTTP client every HTTP-based output shares (http,
// es/opensearch, splunk, datadog, loki): one place for connection reuse,
// TLS, gzip, headers, basic auth, AWS SigV4 signing, the split of a chunk
// into request bodies within size limits, and the classification of a
// response into the engine's error classes.
//
// # Status codes
//
// Classify maps an HTTP status to what the engine should do:
//
//   - 2xx: delivered.
//   - 429, and 503 with a Retry-After header: plugin.Throttled, waiting at
//     least Retry-After (seconds or an HTTP date) when given.
//   - 408, other 5xx, and network errors: retryable with backoff.
//   - 401 and 403: retryable, with a message saying the credentials or the
//     policy are wrong. The operator can fix them while the records wait in
//     the buffer, as internal/awsconf does for AccessDenied; Fluent Bit
//     retries every non-2xx status.
//   - other 4xx (400, 404, 413, ...): plugin.Permanent — the destination
//     refuses these records and sending them again cannot help.
//
// Every error names the output instance, the method and URL, the status
// and the start of the response body, so an operator can tell which
// section to fix.
//
// # Bodies
//
// Split turns a chunk into request bodies no larger than Limits, with the
// framing of the body format (a JSON array, JSON lines, ...), and Outcome
// folds the result of each body into the one error Flush returns: nil,
// the error of the only body, or plugin.PartialRejected naming the records
// to retry and the records the destination refused for good.
//
// # Retries
//
// The client never retries: Flush returns a classified error and the
// engine retries with backoff (package engine). Responses are read (up to
// 1 MiB) and closed so connections go back to the pool.
package httpout
