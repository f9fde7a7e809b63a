package kafka

import (
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/kafkaconn"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// consumerOptions maps the consumer's parameters onto franz-go.
func consumerOptions(c *plugin.Config, in *Input) ([]kgo.Opt, error) {
	wait := "poll_ms"
	if c.IsSet("rdkafka.fetch.wait.max.ms") {
		wait = "rdkafka.fetch.wait.max.ms"
	}
	fetchMax := c.Size("buffer_max_size")
	if c.IsSet("rdkafka.fetch.max.bytes") {
		fetchMax = c.Int("rdkafka.fetch.max.bytes")
	}
	opts := []kgo.Opt{
		kgo.ConsumeTopics(c.List("topics")...),
		kgo.ConsumerGroup(c.String("group_id")),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsRevoked(in.onRevoked),
		kgo.OnPartitionsLost(in.onLost),
		kgo.OnPartitionsAssigned(in.onAssigned),
		kgo.FetchMaxWait(kafkaconn.Millis(c, wait)),
		kgo.FetchMinBytes(int32(c.Int("rdkafka.fetch.min.bytes"))),
		kgo.FetchMaxBytes(int32(fetchMax)),
		kgo.FetchMaxPartitionBytes(int32(c.Int("rdkafka.max.partition.fetch.bytes"))),
		kgo.SessionTimeout(kafkaconn.Millis(c, "rdkafka.session.timeout.ms")),
		kgo.HeartbeatInterval(kafkaconn.Millis(c, "rdkafka.heartbeat.interval.ms")),
		kgo.RebalanceTimeout(kafkaconn.Millis(c, "rdkafka.max.poll.interval.ms")),
	}
	switch c.String("rdkafka.auto.offset.reset") {
	case "smallest", "earliest", "beginning":
		opts = append(opts, kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	default:
		opts = append(opts, kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
	}
	if c.String("rdkafka.isolation.level") == "read_committed" {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	if id := c.String("rdkafka.group.instance.id"); id != "" {
		opts = append(opts, kgo.InstanceID(id))
	}
	var balancers []kgo.GroupBalancer
	for _, s := range strings.Split(c.String("rdkafka.partition.assignment.strategy"), ",") {
		switch strings.TrimSpace(strings.ToLower(s)) {
		case "range":
			balancers = append(balancers, kgo.RangeBalancer())
		case "roundrobin":
			balancers = append(balancers, kgo.RoundRobinBalancer())
		case "cooperative-sticky":
			balancers = append(balancers, kgo.CooperativeStickyBalancer())
		}
	}
	opts = append(opts, kgo.Balancers(balancers...))
	if c.Int("rdkafka.heartbeat.interval.ms") >= c.Int("rdkafka.session.timeout.ms") {
		return nil, c.Errorf("rdkafka.heartbeat.interval.ms", "must be below rdkafka.session.timeout.ms (%d ms); a third of it is usual", c.Int("rdkafka.session.timeout.ms"))
	}
	return opts, nil
}

func checkStrategies(raw string) error {
	n := 0
	for _, s := range strings.Split(raw, ",") {
		switch strings.TrimSpace(strings.ToLower(s)) {
		case "range", "roundrobin", "cooperative-sticky":
			n++
		case "":
		default:
			return fmt.Errorf("unknown assignment strategy %q; valid values are range, roundrobin, cooperative-sticky", strings.TrimSpace(s))
		}
	}
	if n == 0 {
		return fmt.Errorf("name at least one of range, roundrobin, cooperative-sticky")
	}
	return nil
}

// commitError returns the request error or the first partition error of an
// offset commit.
func commitError(resp *kmsg.OffsetCommitResponse, err error) error {
	if err != nil {
		return err
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("topic %s partition %d: %w", t.Topic, p.Partition, err)
			}
		}
	}
	return nil
}
