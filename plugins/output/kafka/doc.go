// Package kafka implements the kafka output: it produces each record as one
// Kafka message, with github.com/twmb/franz-go, and reports a chunk
// delivered only when the brokers acknowledged every record of it.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of Fluent Bit's out_kafka
// (plugins/out_kafka/kafka.c, kafka_config.c): brokers, topics (default
// fluent-bit; the first is the default topic), topic_key and dynamic_topic,
// message_key and message_key_field, timestamp_key (@timestamp) and
// timestamp_format (double, iso8601, iso8601_ns), format (json, msgpack,
// raw with raw_log_key), queue_full_retries (10), aws_msk_iam and
// aws_msk_iam_cluster_arn, and the librdkafka properties under rdkafka.*.
//
// Messages are what Fluent Bit sends: json and msgpack carry the record
// with the time added first under timestamp_key; raw carries the string
// value of raw_log_key. The message key is the string value of
// message_key_field, else message_key. topic_key picks the topic among
// topics (others go to the first), or any valid topic with dynamic_topic.
//
// librdkafka properties map onto franz-go: compression.codec
// (compression.type), request.required.acks (acks), linger.ms
// (queue.buffering.max.ms), batch.size, message.max.bytes,
// enable.idempotence, message.timeout.ms (delivery.timeout.ms),
// message.send.max.retries (retries), request.timeout.ms,
// queue.buffering.max.messages and .kbytes, partitioner (librdkafka's
// names and hashes: consistent_random, crc32, is the default, as in
// librdkafka), and the connection properties of package kafkaconn
// (security.protocol, sasl.*, ssl.*). The librdkafka-only tuning properties
// common in Fluent Bit configurations (log.connection.close,
// batch.num.messages, ...) are accepted with a warning; any other unknown
// property is a configuration error with a did-you-mean suggestion.
//
// Differences, on purpose:
//
//   - Delivery is confirmed. Fluent Bit hands records to librdkafka's queue
//     and reports the chunk flushed; a broker that rejects them later loses
//     them with a log line. Sluice's Flush waits for every acknowledgement;
//     the records that failed are returned with plugin.Partial, and the
//     engine retries only those, with its backoff. Records that can never
//     be produced (larger than the broker accepts, no raw_log_key string,
//     an invalid topic) are dropped as permanent errors, counted and logged.
//   - No retry loop inside the output: within one flush the client re-sends
//     a request after a leader change or a lost connection for up to
//     rdkafka.message.timeout.ms, whose default is 30 s rather than
//     librdkafka's 300 s, so that a broker outage shows as engine retries
//     (in the metrics) rather than as a flush stuck for five minutes.
//     queue_full_retries is how many seconds a flush waits for room in the
//     producer's queue before leaving the rest of its chunk to the engine.
//   - The idempotent producer is on by default (librdkafka's default is
//     off): the brokers drop the duplicates a retried request would
//     otherwise write. It needs acks -1; with acks 0 or 1 it is turned off.
//   - AWS MSK IAM uses the SASL mechanism AWS_MSK_IAM (franz-go's
//     pkg/sasl/aws) instead of librdkafka's OAUTHBEARER token; MSK accepts
//     both on its IAM listener. Credentials come from internal/awsconf,
//     the AWS SDK for Go v2 default chain (environment, shared files, EKS
//     web identity, the ECS task role, EC2 IMDS); the region is the one of
//     aws_msk_iam_cluster_arn, else of the broker host names.
//   - The gelf and avro formats are not supported.
package kafka
