package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// startCluster runs an in-process Kafka cluster on a loopback port.
func startCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func clusterOutput(t *testing.T, c *kfake.Cluster, kv ...string) *Output {
	t.Helper()
	o, err := New(plugintest.Settings(t, Spec(), append([]string{"brokers", strings.Join(c.ListenAddrs(), ",")}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return o
}

func chunkOf(t *testing.T, bodies ...string) *record.Chunk {
	t.Helper()
	data, n := plugintest.Events(t, bodies...)
	return &record.Chunk{Tag: "app", Data: data, Records: n}
}

// consume reads n records from the start of topics.
func consume(t *testing.T, c *kfake.Cluster, n int, topics ...string) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records before the deadline", len(out), n)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Logf("fetch %s/%d: %v", topic, p, err) })
		out = append(out, fs.Records()...)
	}
	return out
}

func TestFlushProducesEveryRecord(t *testing.T) {
	c := startCluster(t, kfake.SeedTopics(3, "logs", "audit"))
	o := clusterOutput(t, c, "topics", "logs,audit", "topic_key", "stream", "message_key_field", "id",
		"timestamp_format", "iso8601", "rdkafka.compression.codec", "zstd")
	var bodies []string
	for i := range 50 {
		stream := "logs"
		if i%5 == 0 {
			stream = "audit"
		}
		bodies = append(bodies, fmt.Sprintf(`{"seq":%d,"id":"k%d","stream":"%s"}`, i, i%7, stream))
	}
	if err := o.Flush(context.Background(), chunkOf(t, bodies...)); err != nil {
		t.Fatal(err)
	}
	recs := consume(t, c, 50, "logs", "audit")
	seen := map[string]bool{}
	for _, r := range recs {
		v := string(r.Value)
		if seen[v] {
			t.Errorf("duplicate %s", v)
		}
		seen[v] = true
		if !strings.HasPrefix(v, `{"@timestamp":"2024-01-01T00:00:`) {
			t.Errorf("value %s lacks the iso8601 timestamp", v)
		}
		wantTopic := "logs"
		if strings.Contains(v, `"stream":"audit"`) {
			wantTopic = "audit"
		}
		if r.Topic != wantTopic {
			t.Errorf("%s went to %s", v, r.Topic)
		}
		if !strings.Contains(v, `"id":"`+string(r.Key)+`"`) {
			t.Errorf("key %q does not match %s", r.Key, v)
		}
	}
	if len(seen) != 50 {
		t.Errorf("%d distinct records, want 50", len(seen))
	}
}

// A record larger than a batch may be fails alone: the others are
// delivered, the engine is told which one failed, and once it is all that
// is left the output gives up on it as permanent.
func TestFlushPartialThenPermanent(t *testing.T) {
	c := startCluster(t, kfake.SeedTopics(1, "logs"))
	o := clusterOutput(t, c, "topics", "logs", "rdkafka.batch.size", "2000")
	huge := `{"seq":1,"blob":"` + strings.Repeat("x", 4000) + `"}`
	chunk := chunkOf(t, `{"seq":0}`, huge, `{"seq":2}`)
	err := o.Flush(context.Background(), chunk)
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || len(failed) != 1 || failed[0] != 1 {
		t.Fatalf("Flush = %v (class %v, failed %v), want Partial([1])", err, class, failed)
	}
	if got := consume(t, c, 2, "logs"); len(got) != 2 {
		t.Errorf("delivered %d records, want 2", len(got))
	}
	if err := o.Flush(context.Background(), chunkOf(t, huge)); plugin.DropReason(err) != plugin.ReasonOversize {
		t.Errorf("the too-large record alone: %v, want permanent, counted as oversize", err)
	}
}

// A broker that drops the connection on the first produce request is
// retried by the client within the flush; nothing is lost or doubled.
func TestFlushSurvivesDroppedConnection(t *testing.T) {
	c := startCluster(t, kfake.SeedTopics(1, "logs"))
	dropped := false
	c.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		dropped = true
		return nil, errors.New("drop the connection"), true
	})
	o := clusterOutput(t, c, "topics", "logs", "rdkafka.topic.metadata.refresh.fast.interval.ms", "50")
	if err := o.Flush(context.Background(), chunkOf(t, `{"seq":0}`, `{"seq":1}`)); err != nil {
		t.Fatal(err)
	}
	if !dropped {
		t.Error("the control function never ran")
	}
	if got := consume(t, c, 2, "logs"); len(got) != 2 {
		t.Errorf("got %d records", len(got))
	}
}

// With the broker gone, Flush fails within rdkafka.message.timeout.ms and
// returns a retryable error: the engine, not the output, retries.
func TestFlushBrokerDownIsRetryable(t *testing.T) {
	c := startCluster(t, kfake.SeedTopics(1, "logs"))
	o := clusterOutput(t, c, "topics", "logs", "rdkafka.message.timeout.ms", "1000")
	c.Close()
	err := o.Flush(context.Background(), chunkOf(t, `{"seq":0}`))
	if err == nil {
		t.Fatal("Flush to a closed cluster succeeded")
	}
	if class, _, _ := plugin.Classify(err); class != plugin.ClassRetryable {
		t.Errorf("class %v, want retryable: %v", class, err)
	}
}

func TestFlushSASLSCRAM(t *testing.T) {
	c := startCluster(t, kfake.SeedTopics(1, "logs"), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "sluice", "s3cret"))
	o := clusterOutput(t, c, "topics", "logs", "rdkafka.security.protocol", "sasl_plaintext",
		"rdkafka.sasl.mechanism", "SCRAM-SHA-512", "rdkafka.sasl.username", "sluice", "rdkafka.sasl.password", "s3cret")
	if err := o.Flush(context.Background(), chunkOf(t, `{"seq":0}`)); err != nil {
		t.Fatal(err)
	}
	bad := clusterOutput(t, c, "topics", "logs", "rdkafka.security.protocol", "sasl_plaintext", "rdkafka.message.timeout.ms", "1000",
		"rdkafka.sasl.mechanism", "SCRAM-SHA-512", "rdkafka.sasl.username", "sluice", "rdkafka.sasl.password", "wrong")
	if err := bad.Flush(context.Background(), chunkOf(t, `{"seq":1}`)); err == nil {
		t.Error("a wrong password must fail the flush")
	}
}

// With the producer's queue full (rdkafka.queue.buffering.max.messages 2,
// the broker slow to answer), a flush waits queue_full_retries seconds for
// room, then leaves the records it could not queue to the engine: Partial
// with their indexes, the queued ones delivered.
func TestFlushQueueFullLeavesTheRestToTheEngine(t *testing.T) {
	c := startCluster(t, kfake.SeedTopics(1, "logs"))
	c.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		// Far longer than queue_full_retries' 1 s, so the wait expires
		// first even on a loaded machine; then the request runs normally.
		c.SleepControl(func() { time.Sleep(2500 * time.Millisecond) })
		return nil, nil, false
	})
	o := clusterOutput(t, c, "topics", "logs", "queue_full_retries", "1", "rdkafka.queue.buffering.max.messages", "2", "rdkafka.linger.ms", "0")
	err := o.Flush(context.Background(), chunkOf(t, `{"seq":0}`, `{"seq":1}`, `{"seq":2}`, `{"seq":3}`, `{"seq":4}`))
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || fmt.Sprint(failed) != "[2 3 4]" {
		t.Fatalf("Flush = %v (class %v, failed %v), want Partial([2 3 4])", err, class, failed)
	}
	if !strings.Contains(err.Error(), "queue_full_retries") {
		t.Errorf("error should name queue_full_retries: %v", err)
	}
}
