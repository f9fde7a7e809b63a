package kafka

import (
	"github.com/sluice-logs/sluice/internal/kafkaconn"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// consumerIgnored are librdkafka consumer properties with no franz-go
// counterpart.
var consumerIgnored = append([]string{
	"rdkafka.enable.auto.commit",
	"rdkafka.enable.auto.offset.store",
	"rdkafka.queued.min.messages",
	"rdkafka.queued.max.messages.kbytes",
	"rdkafka.enable.partition.eof",
	"rdkafka.fetch.error.backoff.ms",
	"rdkafka.check.crcs",
}, kafkaconn.CommonIgnored...)

// Spec declares the kafka input. Parameter names and defaults are Fluent
// Bit's (plugins/in_kafka/in_kafka.c config_map, flb_kafka.c); the
// librdkafka consumer properties that matter are declared under their
// rdkafka.* names and mapped onto franz-go (see doc.go).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "topics", Type: plugin.TypeCommaList, Required: true, Doc: "comma-separated topics to consume"},
		{Name: "format", Default: "none", Options: []string{"none", "json"},
			Doc: "none keeps each message value as a string under payload; json parses it, so payload holds the JSON value (a value that does not parse stays a string)"},
		{Name: "group_id", Default: "fluent-bit", Doc: "consumer group: the instances sharing it share the topics' partitions"},
		{Name: "poll_ms", Type: plugin.TypeInt, Default: "500", Min: 1, Max: 3600000,
			Doc: "longest a broker holds a fetch waiting for new messages, in milliseconds (rdkafka.fetch.wait.max.ms overrides it)"},
		{Name: "poll_timeout_ms", Type: plugin.TypeInt, Default: "1", Min: 0, Max: 3600000,
			Doc: "accepted for compatibility; Sluice's consumer always blocks on its own goroutine until messages arrive"},
		{Name: "buffer_max_size", Type: plugin.TypeSize, Default: "4M", Min: 1 << 10, Max: 1 << 30,
			Doc: "most bytes one fetch returns, and the largest batch handed to the pipeline at once"},
		{Name: "enable_auto_commit", Type: plugin.TypeBool, Default: "false",
			Doc: "commit offsets every rdkafka.auto.commit.interval.ms instead of after every batch; either way only offsets of records the pipeline accepted"},

		{Name: "rdkafka.auto.offset.reset", Default: "largest", Options: []string{"smallest", "earliest", "beginning", "largest", "latest", "end"},
			Doc: "where a partition without a committed offset starts: at its oldest message (earliest) or after its newest (latest)"},
		{Name: "rdkafka.session.timeout.ms", Type: plugin.TypeInt, Default: "45000", Min: 1000, Max: 3600000,
			Doc: "how long the group waits for a silent member (crashed, partitioned) before giving its partitions to the others"},
		{Name: "rdkafka.heartbeat.interval.ms", Type: plugin.TypeInt, Default: "3000", Min: 100, Max: 3600000,
			Doc: "how often the member tells the group it is alive"},
		{Name: "rdkafka.max.poll.interval.ms", Type: plugin.TypeInt, Default: "300000", Min: 1000, Max: 86400000,
			Doc: "how long a rebalance waits for this member (e.g. while the pipeline applies backpressure) before it is dropped from the group"},
		{Name: "rdkafka.fetch.wait.max.ms", Type: plugin.TypeInt, Min: 1, Max: 3600000, Doc: "librdkafka spelling of poll_ms"},
		{Name: "rdkafka.fetch.min.bytes", Type: plugin.TypeInt, Default: "1", Min: 1, Max: 1 << 30,
			Doc: "bytes a broker waits for (up to poll_ms) before it answers a fetch"},
		{Name: "rdkafka.fetch.max.bytes", Type: plugin.TypeInt, Min: 1 << 10, Max: 1 << 30, Doc: "most bytes one fetch returns (default: buffer_max_size)"},
		{Name: "rdkafka.max.partition.fetch.bytes", Type: plugin.TypeInt, Default: "1048576", Min: 1 << 10, Max: 1 << 30,
			Doc: "most bytes one fetch returns per partition"},
		{Name: "rdkafka.group.instance.id", Doc: "static group membership: a restarted member with the same id gets its partitions back without a rebalance"},
		{Name: "rdkafka.partition.assignment.strategy", Default: "range,roundrobin",
			Doc: "how partitions are shared: range, roundrobin or cooperative-sticky, in order of preference (comma-separated)", Check: checkStrategies},
		{Name: "rdkafka.auto.commit.interval.ms", Type: plugin.TypeInt, Default: "5000", Min: 100, Max: 86400000,
			Doc: "with enable_auto_commit, how often offsets are committed"},
		{Name: "rdkafka.isolation.level", Default: "read_committed", Options: []string{"read_committed", "read_uncommitted"},
			Doc: "read_committed skips messages of aborted transactions and waits for open ones"},
	}
	params = append(params, kafkaconn.Params()...)
	params = append(params, kafkaconn.Ignored(consumerIgnored...)...)
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "kafka",
		Summary: "consume Kafka or Amazon MSK topics in a consumer group; offsets are committed only for records the pipeline accepted",
		Params:  params,
		Examples: []string{
			`[INPUT]
    Name     kafka
    Tag      kafka.logs
    Brokers  192.168.1.3:9092
    Topics   app-logs
    Group_Id sluice-aggregators
    Format   json`,
			`[INPUT]
    Name                       kafka
    Tag                        from.kafka
    Brokers                    kafka-1:9092,kafka-2:9092
    Topics                     logs,audit
    poll_ms                    100
    rdkafka.auto.offset.reset  earliest
    rdkafka.session.timeout.ms 10000
    Mem_Buf_Limit              64M`,
			`[INPUT]
    Name                    kafka
    Tag                     msk
    Brokers                 b-1.logs.abc123.c2.kafka.eu-west-1.amazonaws.com:9098
    Topics                  logs
    rdkafka.sasl.mechanism  aws_msk_iam`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
