// Package dummy implements the dummy input: it generates the same record
// over and over at a fixed rate, for tests, benchmarks and getting started.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of Fluent Bit's in_dummy
// (plugins/in_dummy/in_dummy.c): Dummy ({"message":"dummy"}), Metadata ({}),
// Rate (1), Interval_sec and Interval_nsec (0; when either is set they
// replace Rate), Samples (0: no limit), Copies (1), Start_time_sec and
// Start_time_nsec (-1: the current time), Fixed_timestamp and
// Flush_on_startup (off).
//
// As in Fluent Bit, one emission happens every interval and produces Copies
// records with the same timestamp; Samples counts emissions, so Samples 3
// with Copies 2 produces 6 records, then Run returns. The first emission
// comes one interval after start, or at once with Flush_on_startup. With a
// start time, timestamps advance from it as time passes; with
// Fixed_timestamp every record carries the start time (or the time the
// input started).
//
// Differences, on purpose:
//
//   - Dummy and Metadata must each be one valid JSON object: anything else
//     is a configuration error at the parameter, where Fluent Bit logs a
//     warning and falls back to the default record.
//   - Timestamps follow the schedule (start + k·interval), evenly spaced,
//     rather than the clock reading at each timer tick.
//   - Fast rates are produced in batches: the input wakes at most every
//     10 ms and emits all records that fell due, in Emits of up to 64 KiB.
//     While Emit blocks (Mem_Buf_Limit), production pauses; afterwards at
//     most 100 ms of missed records is caught up, and the rest is skipped,
//     as Fluent Bit's paused collector skips them.
//   - Fluent Bit resolves ${VAR} in Dummy at every emission; Sluice
//     resolves variables once, when the configuration is read.
package dummy
