// Package kinesisstreams implements the kinesis_streams output: it sends
// records to an Amazon Kinesis data stream with PutRecords.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of Fluent Bit's kinesis_streams
// (plugins/out_kinesis_streams) plus what AWS's Go plugin
// (amazon-kinesis-streams-for-fluent-bit) adds and FireLens users rely on:
// partition_key, data_keys, aggregation and compression. Each record is
// one line of JSON (newline-terminated), or only log_key's value, or only
// data_keys, with time_key added as in kinesis_firehose.
//
// partition_key names a key of the record (a plain key, a record accessor
// such as $kubernetes['pod_name'], or the Go plugin's kubernetes->pod_name)
// whose value becomes the record's partition key, cut to Kinesis's 256
// characters. Without it, or when a record lacks the key, the partition
// key is random, as in Fluent Bit.
//
// # Aggregation
//
// With aggregation on, records are packed into KPL aggregated records (see
// kplAggregator), up to Kinesis's 1 MiB record limit: fewer, fuller
// records cost fewer PUT payload units and shard writes, and KCL consumers
// (and Lambda/Firehose deaggregation) see the original records. Without
// partition_key, the records of one aggregate share one random key. With
// compression each user record is compressed (gzip or zlib) before it is
// aggregated, so consumers decompress what they deaggregate.
//
// simple_aggregation (Fluent Bit's) instead joins newline-terminated records
// into one Kinesis record of up to 1 MiB under the first record's partition
// key: fewer records, but consumers see the joined text, not the records.
// port applies to a custom endpoint written without one.
//
// # Limits and partial failures
//
// A chunk is cut into PutRecords calls of at most 500 records and 5 MiB,
// counting data and partition keys (the service quotas); a record whose
// data and key exceed 1 MiB is dropped and logged. A record whose result
// entry carries an ErrorCode (ProvisionedThroughputExceededException or
// InternalFailure) failed alone: Flush returns plugin.Partial with exactly
// the chunk indexes it carried (every record of a failed aggregate), so the
// engine resends only those. When every record failed with
// ProvisionedThroughputExceededException, or a whole call is throttled,
// Flush returns plugin.Throttled and the engine backs off. A stream that
// does not exist (ResourceNotFoundException) is retried, the records kept
// buffered, with a message naming the stream, the region and `stream`.
package kinesisstreams
