package kafka

import (
	"fmt"
	"strconv"

	"github.com/sluice-logs/sluice/internal/kafkaconn"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// producerIgnored are librdkafka producer properties with no franz-go
// counterpart.
var producerIgnored = append([]string{
	"rdkafka.batch.num.messages",
	"rdkafka.queue.buffering.backpressure.threshold",
	"rdkafka.sticky.partitioning.linger.ms",
}, kafkaconn.CommonIgnored...)

// Spec declares the kafka output. Parameter names and defaults are Fluent
// Bit's (plugins/out_kafka/kafka.c config_map and kafka_config.c); the
// librdkafka properties that matter are declared under their rdkafka.*
// names and mapped onto franz-go (see doc.go).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "topics", Type: plugin.TypeCommaList, Default: "fluent-bit",
			Doc: "comma-separated topics; the first is the default, the others may be chosen by topic_key"},
		{Name: "topic_key", Doc: "record key whose string value names the topic of the record; a value not in topics goes to the first topic unless dynamic_topic is on"},
		{Name: "dynamic_topic", Type: plugin.TypeBool, Default: "false",
			Doc: "send records to the topic named by topic_key even when it is not in topics (the topic must exist or the cluster must create topics on demand)"},
		{Name: "format", Default: "json", Options: []string{"json", "msgpack", "raw"},
			Doc: "message value: json (the record with the timestamp added), msgpack (the same as a msgpack map) or raw (the string value of raw_log_key)"},
		{Name: "message_key", Doc: "static message key of every record, unless message_key_field finds one"},
		{Name: "message_key_field", Doc: "record key whose string value is the message key (records are partitioned by it)"},
		{Name: "timestamp_key", Default: "@timestamp", Doc: "key under which the record time is added to json and msgpack messages"},
		{Name: "timestamp_format", Default: "double", Options: []string{"double", "iso8601", "iso8601_ns"},
			Doc: "record time as seconds with decimals (double), 2024-01-01T00:00:00.000000Z (iso8601, microseconds) or with nanoseconds (iso8601_ns)"},
		{Name: "raw_log_key", Doc: "with format raw: the record key whose string value is sent as the message"},
		{Name: "queue_full_retries", Type: plugin.TypeInt, Default: "10", Min: 0, Max: 1 << 20,
			Doc: "seconds a flush waits for room in the producer's queue (rdkafka.queue.buffering.max.messages) before the engine retries the rest; 0 waits as long as it takes"},
		{Name: "group_id", Doc: "accepted for compatibility with Fluent Bit's declaration; a producer has no consumer group"},

		{Name: "rdkafka.compression.codec", Default: "none", Options: []string{"none", "gzip", "snappy", "lz4", "zstd"},
			Doc: "compression of message batches"},
		{Name: "rdkafka.compression.type", Options: []string{"none", "gzip", "snappy", "lz4", "zstd"},
			Doc: "librdkafka alias of rdkafka.compression.codec"},
		{Name: "rdkafka.request.required.acks", Default: "-1", Options: []string{"-1", "all", "0", "1"},
			Doc: "acknowledgements the leader waits for: -1/all (every in-sync replica), 1 (the leader), 0 (none: records may be lost)"},
		{Name: "rdkafka.acks", Options: []string{"-1", "all", "0", "1"}, Doc: "librdkafka alias of rdkafka.request.required.acks"},
		{Name: "rdkafka.linger.ms", Type: plugin.TypeInt, Default: "5", Min: 0, Max: 900000,
			Doc: "milliseconds a partition's batch waits for more records before it is sent"},
		{Name: "rdkafka.queue.buffering.max.ms", Type: plugin.TypeInt, Min: 0, Max: 900000,
			Doc: "librdkafka alias of rdkafka.linger.ms"},
		{Name: "rdkafka.batch.size", Type: plugin.TypeInt, Default: "1000000", Min: 1, Max: 1 << 30,
			Doc: "largest message batch per partition, in bytes (capped by the broker's message.max.bytes)"},
		{Name: "rdkafka.message.max.bytes", Type: plugin.TypeInt, Min: 1000, Max: 1 << 30,
			Doc: "largest produce request to a broker, in bytes"},
		{Name: "rdkafka.enable.idempotence", Type: plugin.TypeBool, Default: "true",
			Doc: "idempotent producer: the brokers drop duplicates of a retried request; needs acks -1 (turned off with a warning for other acks)"},
		{Name: "rdkafka.message.timeout.ms", Type: plugin.TypeInt, Default: "30000", Min: 0, Max: 86400000, Check: checkTimeout,
			Doc: "how long the client keeps trying to deliver a record within one flush before it fails it and the engine retries it; 0: no limit"},
		{Name: "rdkafka.delivery.timeout.ms", Type: plugin.TypeInt, Min: 0, Max: 86400000, Check: checkTimeout,
			Doc: "librdkafka alias of rdkafka.message.timeout.ms"},
		{Name: "rdkafka.message.send.max.retries", Type: plugin.TypeInt, Min: 0, Max: 1 << 31,
			Doc: "times the client re-sends a record within one flush before it fails it (default: until rdkafka.message.timeout.ms)"},
		{Name: "rdkafka.retries", Type: plugin.TypeInt, Min: 0, Max: 1 << 31, Doc: "librdkafka alias of rdkafka.message.send.max.retries"},
		{Name: "rdkafka.request.timeout.ms", Type: plugin.TypeInt, Default: "30000", Min: 100, Max: 900000,
			Doc: "how long the leader may take to answer a produce request (it waits for acks up to this long)"},
		{Name: "rdkafka.queue.buffering.max.messages", Type: plugin.TypeInt, Default: "100000", Min: 1, Max: 10000000,
			Doc: "records the producer holds at once, across flushes; a full queue makes a flush wait (queue_full_retries)"},
		{Name: "rdkafka.queue.buffering.max.kbytes", Type: plugin.TypeInt, Min: 1, Max: 1 << 31,
			Doc: "KiB of record values the producer holds at once; when full, Produce waits"},
		{Name: "rdkafka.partitioner", Default: "consistent_random",
			Options: []string{"random", "consistent", "consistent_random", "murmur2", "murmur2_random", "fnv1a", "fnv1a_random"},
			Doc:     "how a message key picks its partition (librdkafka's names; *_random spreads keyless records, the others send keyless records to one partition)"},
	}
	params = append(params, kafkaconn.Params()...)
	params = append(params, kafkaconn.Ignored(producerIgnored...)...)
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "kafka",
		Summary: "produce records to Apache Kafka or Amazon MSK topics (franz-go)",
		Params:  params,
		Examples: []string{
			`[OUTPUT]
    Name        kafka
    Match       *
    Brokers     192.168.1.3:9092, 192.168.1.4:9092
    Topics      app-logs`,
			`[OUTPUT]
    Name               kafka
    Match              app.*
    Brokers            kafka-1:9092
    Topics             logs, audit, errors
    Topic_Key          stream
    Message_Key_Field  service
    Timestamp_Format   iso8601_ns
    rdkafka.compression.codec  zstd
    rdkafka.linger.ms          20`,
			`[OUTPUT]
    Name                     kafka
    Match                    *
    Brokers                  b-1.logs.abc123.c2.kafka.eu-west-1.amazonaws.com:9098
    Topics                   logs
    aws_msk_iam              true
    aws_msk_iam_cluster_arn  arn:aws:kafka:eu-west-1:123456789012:cluster/logs/abcd1234-ef56-7890-abcd-ef1234567890-2`,
			`[OUTPUT]
    Name                       kafka
    Match                      *
    Brokers                    kafka.internal:9093
    Topics                     logs
    rdkafka.security.protocol  sasl_ssl
    rdkafka.sasl.mechanism     SCRAM-SHA-512
    rdkafka.sasl.username      sluice
    rdkafka.sasl.password      change-me`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}

// checkTimeout accepts 0 (no limit) or at least a second, franz-go's floor
// for a record's delivery timeout.
func checkTimeout(raw string) error {
	if ms, err := strconv.Atoi(raw); err == nil && ms > 0 && ms < 1000 {
		return fmt.Errorf("%d ms is below the 1000 ms minimum; use 0 for no limit", ms)
	}
	return nil
}
