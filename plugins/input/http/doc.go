// Package http implements Fluent Bit's http input: an HTTP server that
// takes JSON records POSTed to it, so applications and Lambda-style
// forwarders can send logs without a client library.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/in_http: Listen 0.0.0.0,
// Port 9880, buffer_max_size 4M, buffer_chunk_size 512K,
// successful_response_code 201 (200, 201 or 204), success_header
// (repeatable), tag_key, add_remote_addr, and tls*.
//
//   - The body is a JSON object or an array of objects, with
//     Content-Type application/json; Content-Encoding gzip is decompressed.
//   - The tag is the URL path without its leading slash (POST /app.log
//     gives app.log; characters other than letters, digits, '.', '_' and
//     '-' become '_'); POST / uses the input's Tag. With tag_key, a record
//     whose value at that key is a string goes under that tag instead.
//   - Records are timestamped when they arrive. add_remote_addr adds
//     REMOTE_ADDR: the first X-Forwarded-For address, else the client's.
//
// # Bad requests
//
// A request that cannot be taken gets an error status with a one-line
// reason in the body, and its connection is closed; nothing of it is
// kept (a body is all or nothing), and other connections are not
// affected: 400 for invalid JSON or a value that is not an object, 405
// for a method other than POST, 411/413 for a missing or oversized body
// (beyond buffer_max_size, after decompression too), 415 for another
// Content-Type or Content-Encoding, 503 while Sluice shuts down.
// Responses are sent only once the records are accepted into the
// pipeline's buffer, so a client that gets the success code can forget
// them.
//
// # Differences
//
// HTTP/2 (http2) is served only over TLS, as Go's server does by default;
// buffer_chunk_size is accepted but reading is sized by Go's server.
package http
