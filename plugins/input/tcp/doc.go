// Package tcp implements Fluent Bit's tcp input: it listens on a TCP port
// and turns what clients send into records — a stream of JSON objects
// (Format json, the default; EMF-over-TCP and log4j JSON appenders use
// it), or text split on Separator into {"log": "..."} records (Format
// none).
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/in_tcp: Listen 0.0.0.0,
// Port 5170, Chunk_Size 32 and Buffer_Size (default Chunk_Size) in KB,
// Format json, Separator "\n" (escapes \n, \r, \t are understood),
// Source_Address_Key, and tls*. JSON objects may follow each other
// directly or be separated by white space or newlines; a JSON array of
// objects gives one record per object. Records are timestamped when they
// arrive.
//
// # Bad clients
//
// A connection that sends something that is not JSON, a non-object value,
// or a message (or, with Format none, a line) longer than Buffer_Size gets
// a warning naming the remote address and the reason, and is closed; the
// records it sent before are kept, and no other connection is affected.
//
// # Differences
//
// Fluent Bit skips invalid JSON and goes on reading the connection, which
// can resynchronise in the middle of a value and make records of garbage;
// Sluice closes the connection instead, so the client reconnects cleanly.
package tcp
