// Package awsrecord is what Fluent Bit's record-oriented AWS outputs
// (kinesis_firehose, kinesis_streams, s3) share between a decoded event and
// the bytes of an AWS API call:
//
//   - Format serialises one event the way those outputs do: the record as
//     JSON, or only log_key's value, or only data_keys; with time_key's
//     formatted timestamp added; newline-terminated.
//   - Strftime is a compiled strftime(3) layout with Fluent Bit's %3N, %9N
//     and %L sub-second extensions, for time_key_format and S3 keys.
//   - Entry, Limits and Split cut a chunk's serialised records into API
//     calls that respect a service's per-call record count, per-call byte
//     size and per-record size, and remember which chunk records each
//     entry carries, so a partial failure maps back to chunk indexes
//     (plugin.Partial).
//
// Nothing here allocates per record once its buffers have grown.
package awsrecord
