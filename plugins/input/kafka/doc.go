// Package kafka implements the kafka input: it consumes topics as a member
// of a Kafka consumer group, with github.com/twmb/franz-go, and commits a
// partition's offset only past records the pipeline accepted.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of Fluent Bit's in_kafka
// (plugins/in_kafka/in_kafka.c, src/flb_kafka.c): brokers, topics, format
// (none, json), client_id, group_id (fluent-bit), poll_ms (500),
// buffer_max_size (4M), enable_auto_commit (false), poll_timeout_ms, and the
// librdkafka properties under rdkafka.*. Records are Fluent Bit's: the
// current time, and the body {topic, partition, offset, error, key,
// payload}, where payload is the message value as a string, or with format
// json its parsed JSON value (a value that does not parse stays a string).
// key is the message key as a string, or null.
//
// librdkafka consumer properties map onto franz-go: auto.offset.reset
// (default largest, as librdkafka), session.timeout.ms,
// heartbeat.interval.ms, max.poll.interval.ms, fetch.wait.max.ms,
// fetch.min.bytes, fetch.max.bytes, max.partition.fetch.bytes,
// group.instance.id, partition.assignment.strategy (range,roundrobin as
// librdkafka, or cooperative-sticky), auto.commit.interval.ms,
// isolation.level (read_committed, as librdkafka), and the connection
// properties of package kafkaconn. AWS MSK IAM is turned on with
// rdkafka.sasl.mechanism aws_msk_iam, as in Fluent Bit, or with aws_msk_iam.
// The librdkafka-only tuning properties common in Fluent Bit configurations
// are accepted with a warning; any other unknown property is a
// configuration error with a did-you-mean suggestion.
//
// # Delivery
//
// A partition's offset is committed only past records the pipeline is done
// with: the input emits with plugin.AckEmitter.EmitWithAck, and a batch's
// offsets become committable when the engine acknowledges it — written to
// the filesystem buffer with storage.type filesystem, or delivered by every
// output routed to with storage.type memory — in emission order, so a
// commit never passes a record still only in memory. A batch an output gave
// up on while running (a permanent error, Retry_Limit: counted and logged
// as drops) is committed past, since consuming it again would fail again;
// one dropped at shutdown is not, so it is consumed again after the
// restart. (With an Emitter that does not acknowledge, Emit's nil counts.)
// Commits follow each poll and at least every second while idle (or every
// rdkafka.auto.commit.interval.ms with enable_auto_commit). Rebalances wait
// while a polled batch is being emitted (franz-go's BlockRebalanceOnPoll);
// before a partition moves to another member its committable offsets are
// committed, and acknowledgements that arrive after it moved are ignored,
// so a late commit cannot rewind the new owner. A member that crashes or is
// killed leaves what it had not committed to the partition's next owner:
// those records are delivered again (at least once), none is lost. At
// shutdown Run stops polling and the engine's outputs deliver what is
// buffered within Grace; Close then commits that too and leaves the group,
// so the partitions move at once and a graceful restart repeats nothing.
//
// Differences, on purpose:
//
//   - Fluent Bit's collector wakes every poll_ms; Sluice's consumer blocks
//     on its own goroutine and poll_ms is how long a broker holds a fetch
//     waiting for data (fetch.wait.max.ms), so records arrive as soon as
//     they are written. poll_timeout_ms has no effect.
//   - Fluent Bit commits after appending a batch regardless of what the
//     pipeline does with it later; Sluice commits only after Emit returns
//     nil, and Emit blocks under backpressure (Mem_Buf_Limit), which pauses
//     consumption instead of dropping.
//   - enable_auto_commit still commits only accepted records, just less
//     often; librdkafka's auto-commit can commit records not yet appended.
//   - rdkafka.enable.auto.commit is ignored (Fluent Bit overrides it too).
package kafka
