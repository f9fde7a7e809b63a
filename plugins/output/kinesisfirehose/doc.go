// Package kinesisfirehose implements the kinesis_firehose output: it sends
// records to an Amazon Data Firehose delivery stream with PutRecordBatch.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of Fluent Bit's kinesis_firehose
// (plugins/out_kinesis_firehose), plus data_keys from AWS's Go plugin
// (amazon-kinesis-firehose-for-fluent-bit). Each record is sent as one line
// of JSON (newline-terminated, so S3 objects written by Firehose are JSON
// lines), or only the value of log_key, or only data_keys; time_key adds
// the time formatted by time_key_format. With compression gzip each
// Firehose record is gzipped on its own. With simple_aggregation several
// records are joined into one Firehose record (up to the 1,000 KiB record
// limit), which cuts the per-record cost of Firehose's pricing.
//
// # Limits and partial failures
//
// A chunk is cut into PutRecordBatch calls of at most 500 records and
// 4 MiB (the service quotas). A record over 1,000 KiB cannot be sent at
// all: it is dropped and logged with its size and chunk index, like Fluent
// Bit does, while the rest of its chunk is delivered (dropping rather than
// failing the chunk, because the engine has no way to dead-letter one
// record of a chunk and retrying cannot make it smaller).
//
// When a call succeeds with FailedPutCount > 0, only the records whose
// response entry carries an ErrorCode failed: Flush returns
// plugin.Partial with exactly their chunk indexes, so the engine resends
// those and nothing else. Resending the whole batch — what Fluent Bit does
// — duplicates every record that had been accepted. When a call fails as a
// whole after earlier calls of the same chunk succeeded, the records of
// that call and the calls after it are reported the same way.
//
// ServiceUnavailableException, Firehose's way of saying a stream is over
// its throughput quota, is treated as throttling (plugin.Throttled), both
// for a whole call and when every record of a chunk failed with it. Other
// errors are classified by package awsconf; a delivery stream that does not
// exist (ResourceNotFoundException) is retried, the records kept buffered,
// with a message naming it, the region and `delivery_stream`.
package kinesisfirehose
