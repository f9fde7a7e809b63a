// Package file implements the file output: it appends the records it
// receives to files, one per tag or one named by File, in a directory.
//
// # Fluent Bit parity
//
// Parameters, defaults and line formats are those of Fluent Bit's out_file
// (plugins/out_file/file.c):
//
//   - out_file (default): `tag: [1700000000.123456789, {"k":"v"}]`
//   - plain: `{"k":"v"}`
//   - csv: `1700000000.123456789,"v1",2`, values printed as msgpack-c's
//     msgpack_object_print does (strings quoted and not escaped); with
//     Csv_Column_Names a new or empty file starts with
//     `timestamp,"k1","k2"` from the first record's keys.
//   - ltsv: `"time":1700000000.123457<TAB>"k1":"v1"`.
//   - template: Template ("{time} {message}") with {time} as "%f" seconds,
//     {key} as the field's value (strings unquoted) and unknown keys left as
//     written.
//   - msgpack: the events themselves, for tools that read Fluent Bit's
//     msgpack files.
//
// Delimiter and Label_Delimiter accept \t or tab, space and comma, like
// Fluent Bit, which silently ignores any other value; Sluice ignores it too
// but logs a warning. csv and ltsv write nothing for a record without
// fields, as Fluent Bit does.
//
// Files are opened with O_APPEND|O_CREATE (mode 0666 less the umask) and,
// with Mkdir, their directory is created (0755). Each chunk is formatted in
// a pooled buffer and appended with one write under the output's lock, so
// Workers flushing concurrently never interleave records.
//
// Differences, on purpose:
//
//   - Fluent Bit opens and closes the file for every chunk; Sluice keeps it
//     open between chunks (at most 64 files, each closed after a minute
//     unused, all closed at shutdown). Before each write it checks that the
//     file is still at its path, so rotation by renaming or removing works
//     as before, and a reader of a named pipe does not see end of file
//     after every chunk.
//   - Errors that an operator can fix (a missing directory, permissions, a
//     full disk) are retried by the engine; the error names the file and
//     what to do. A write that fails half-way is cut back off the file, so
//     the retry does not leave a torn line.
//   - Without File, the tag names the file; a tag that is empty, absolute or
//     climbs out of Path with ".." is rejected as a permanent error instead
//     of writing outside Path.
//   - Template placeholders must match "time" or a key exactly; Fluent Bit
//     compares only the placeholder's length, so "{t}" and "{}" print the
//     time there.
//   - Floats inside JSON records are written with the shortest exact
//     digits (see record.AppendJSON).
//   - A record that does not decode ends its chunk: the records before it
//     are written and the rest dropped with an error log; a chunk whose
//     first record is malformed is rejected with plugin.Permanent.
package file
