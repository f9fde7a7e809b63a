// Package stdout implements the stdout output: it prints every record it
// receives to standard output, for debugging pipelines and for piping Sluice
// into other programs.
//
// # Fluent Bit parity
//
// Parameters, defaults and output shapes are those of Fluent Bit's
// out_stdout (plugins/out_stdout/stdout.c and flb_pack.c):
//
//   - Format msgpack (the default) prints one line per record, numbered from
//     0 in each chunk, with msgpack-c's msgpack_object_print layout:
//     `[0] dummy.0: [[1700000000.123456789, {}], {"message"=>"dummy"}]`.
//     Strings are printed unescaped, floats with six decimals.
//   - Format json prints each chunk as one JSON array and a newline,
//     json_lines one object per line, json_stream the objects back to back
//     followed by one newline per chunk.
//   - In the JSON formats the record time comes first under json_date_key
//     ("date"; false, off or no leaves it out), written as json_date_format
//     says: double ("%.16g" seconds, e.g. 1700000000.123457), epoch,
//     epoch_ms, iso8601 or java_sql_timestamp (microseconds, UTC).
//
// Differences, on purpose:
//
//   - Floats inside records are written with the shortest digits that read
//     back exactly (see record.AppendJSON), not Fluent Bit's %.16g; NaN and
//     infinities become null.
//   - Recent Fluent Bit versions add non-empty metadata to JSON records
//     under "__internal__"; Sluice prints the record body only.
//   - The msgpack form prints seconds as a 64-bit number; Fluent Bit casts
//     them to 32 bits, which wraps after 2038.
//   - An unknown Format or json_date_format is a configuration error, where
//     Fluent Bit logs it and falls back to msgpack or double.
//
// Each chunk is formatted into a pooled buffer and written with a single
// Write, so concurrent Workers never interleave records. A record that does
// not decode ends its chunk: the records before it are printed and the rest
// dropped with an error log; a chunk whose first record is malformed is
// rejected with plugin.Permanent.
package stdout
