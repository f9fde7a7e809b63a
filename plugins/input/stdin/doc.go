// Package stdin implements the stdin input: it reads records from the
// process's standard input, one per line, until end of file, and then
// returns so that Sluice can deliver what it read and exit.
//
// Each line is read as Fluent Bit's in_stdin reads its input without a
// parser:
//
//   - a JSON object is a record, timestamped with the time it was read:
//     {"key": "value"};
//   - a two-element JSON array is an event with its own time in seconds
//     (integer or decimal): [1700000000.5, {"key": "value"}], or, as since
//     Fluent Bit 2.1, with metadata: [[1700000000.5, {"m": 1}], {"key": "v"}];
//     any other array is skipped with a warning naming the line and why.
//
// Differences from Fluent Bit, on purpose:
//
//   - A line that is not a JSON object or array (plain text, a JSON number,
//     a broken JSON line) is kept as {"log": "<line>"} rather than dropped,
//     which is what piping a plain log file into Sluice calls for. Such
//     lines are logged at debug level and counted in the end-of-input log.
//   - Input is read line by line: one JSON value spread over several lines
//     (which Fluent Bit's streaming tokenizer accepts) becomes one text
//     record per line.
//   - Buffer_Size (16k) bounds the length of a line. The read buffer grows
//     as a line needs, up to Buffer_Size; a longer line is skipped up to its
//     newline with a warning giving its number and length, and reading goes
//     on, where Fluent Bit drops whatever fills its buffer.
//   - With Parser, each line is read by that named parser instead of as
//     JSON, and a line the parser does not match is kept as
//     {"log": "<line>"}, where Fluent Bit drops it.
//
// Lines are emitted in batches of up to 512 records or 256 KiB, and
// whenever no more input is waiting, so interactive use sees each line
// immediately. A trailing carriage return is dropped and blank lines are
// skipped. At end of file Run logs a summary (lines, records, and lines kept
// as text or skipped) and returns plugin.ErrExit: like Fluent Bit, Sluice
// then delivers what it read and exits, so `cat app.log | sluice -i stdin
// -o ...` ends by itself.
package stdin
