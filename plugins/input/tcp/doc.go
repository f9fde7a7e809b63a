// Package tcp implements the tcp input: it listens on a TCP port for
// newline-separated JSON objects (Format json) or raw text records split on
// a Separator (Format none, each record kept as {"log": text}).
//
// ECS adds one to every FireLens configuration it generates for Fluent Bit
// (Tag firelens-healthcheck on 127.0.0.1:8877, routed to a null output),
// so a FireLens task does not start without it.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's in_tcp ones: Listen 0.0.0.0,
// Port 5170, Chunk_Size 32 and Buffer_Size (Chunk_Size when unset), both
// in KB when written as a bare number, Format json, Separator "\n",
// Source_Address_Key. Differences, on purpose: in json mode each record
// is one line (Fluent Bit also splits objects written back to back on one
// line); a line that is not a JSON object is dropped with a warning that
// counts it, and a record longer than Buffer_Size closes its connection
// with the reason logged.
package tcp
