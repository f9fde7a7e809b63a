// Package record defines how Sluice carries log records: as chunks of
// msgpack-encoded events, the same wire shape Fluent Bit uses, decoded lazily.
//
// An event is the Fluent Bit v2 record: a two-element array whose first
// element is a header [time, metadata] and whose second is the body map:
//
//	[[EventTime, {metadata}], {body}]
//
// EventTime is the msgpack extension type 0 of the Fluentd forward protocol
// (seconds and nanoseconds, each a big-endian uint32). The legacy shape
// [time, {body}] with an integer or EventTime time is accepted on decode.
//
// A Chunk is a byte slice of concatenated events that share one tag. Code on
// the per-record path walks those bytes with an Iterator, which hands out
// sub-slices of the chunk (no copies, no maps); only a plugin that needs a
// field looks it up with Lookup or decodes the body. Building chunks goes
// through Builder, an append-only encoder whose buffer can be reused.
package record
