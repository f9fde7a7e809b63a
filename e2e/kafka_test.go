package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// kafkaStartCluster runs an in-process Kafka cluster (franz-go's kfake) on a
// loopback port for the sluice processes of a test, and returns its
// bootstrap address.
func kafkaStartCluster(t *testing.T, opts ...kfake.Opt) (*kfake.Cluster, string) {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.Ports(freePort(t)),
		kfake.AllowAutoTopicCreation(), kfake.GroupMinSessionTimeout(500 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, c.ListenAddrs()[0]
}

// kafkaClient is a franz-go client of the test itself, closed at the end.
func kafkaClient(t *testing.T, addr string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// kafkaConsumeAll reads topics from the start until n records arrived.
func kafkaConsumeAll(t *testing.T, addr string, n int, topics ...string) []*kgo.Record {
	t.Helper()
	return kafkaConsumeAllAs(t, addr, n, nil, topics...)
}

// kafkaConsumeAllAs is kafkaConsumeAll with more client options (SASL).
func kafkaConsumeAllAs(t *testing.T, addr string, n int, opts []kgo.Opt, topics ...string) []*kgo.Record {
	t.Helper()
	cl := kafkaClient(t, addr, append([]kgo.Opt{kgo.ConsumeTopics(topics...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.MetadataMinAge(100 * time.Millisecond), kgo.FetchMaxWait(100 * time.Millisecond)}, opts...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records from %v before the deadline", len(out), n, topics)
		}
		out = append(out, fs.Records()...)
	}
	return out
}

// kafkaSeqCounts counts how often each "seq" occurs in the records' JSON
// values (at path: the keys to walk down to seq), and fails on any value
// that is not JSON with a numeric seq.
func kafkaSeqCounts(t *testing.T, values [][]byte, path ...string) map[int]int {
	t.Helper()
	seen := map[int]int{}
	for _, v := range values {
		var m map[string]any
		if err := json.Unmarshal(v, &m); err != nil {
			t.Fatalf("value %q is not a JSON object: %v", v, err)
		}
		for _, k := range path {
			next, ok := m[k].(map[string]any)
			if !ok {
				t.Fatalf("value %s has no object under %q", v, k)
			}
			m = next
		}
		seq, ok := m["seq"].(float64)
		if !ok {
			t.Fatalf("value %s has no numeric seq", v)
		}
		seen[int(seq)]++
	}
	return seen
}

// kafkaLossAndDuplicates reports the numbers of 0..n-1 missing from seen,
// and how many extra copies there are.
func kafkaLossAndDuplicates(seen map[int]int, n int) (missing []int, duplicates int) {
	for i := range n {
		switch c := seen[i]; {
		case c == 0:
			missing = append(missing, i)
		case c > 1:
			duplicates += c - 1
		}
	}
	return missing, duplicates
}

// TestKafkaOutputDeliversEveryRecord: numbered records on stdin go through
// the kafka output, with topic_key, dynamic_topic and message_key_field,
// and a franz-go consumer reads every one back exactly once, in the topic
// and with the key the record named.
func TestKafkaOutputDeliversEveryRecord(t *testing.T) {
	const n = 20000
	_, addr := kafkaStartCluster(t, kfake.SeedTopics(3, "logs", "audit"))
	var lines strings.Builder
	for i := range n {
		stream := []string{"logs", "audit", "team-x"}[i%3]
		fmt.Fprintf(&lines, `{"seq":%d,"stream":"%s","id":"user-%d","msg":"line %d"}`+"\n", i, stream, i%17, i)
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "agent.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  10

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name               kafka
    Match              app
    Brokers            %s
    Topics             logs, audit
    Topic_Key          stream
    Dynamic_Topic      on
    Message_Key_Field  id
    Timestamp_Format   iso8601
    rdkafka.compression.codec  lz4
`, addr))
	p := start(t, strings.NewReader(lines.String()), "-c", cfg)
	recs := kafkaConsumeAll(t, addr, n, "logs", "audit", "team-x")
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	values := make([][]byte, len(recs))
	for i, r := range recs {
		values[i] = r.Value
		var body struct {
			Stream    string `json:"stream"`
			ID        string `json:"id"`
			Timestamp string `json:"@timestamp"`
		}
		if err := json.Unmarshal(r.Value, &body); err != nil {
			t.Fatalf("value %q: %v", r.Value, err)
		}
		if r.Topic != body.Stream {
			t.Fatalf("record %s in topic %s", r.Value, r.Topic)
		}
		if string(r.Key) != body.ID {
			t.Fatalf("record %s has key %q", r.Value, r.Key)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000000Z", body.Timestamp); err != nil {
			t.Fatalf("record %s: @timestamp: %v", r.Value, err)
		}
	}
	missing, dups := kafkaLossAndDuplicates(kafkaSeqCounts(t, values), n)
	if len(missing) > 0 || dups > 0 || len(recs) != n {
		t.Fatalf("%d records; missing %d %v; duplicates %d", len(recs), len(missing), head(missing), dups)
	}
}

// TestKafkaInputDeliversEveryRecord: numbered records produced into a
// topic of three partitions come out of the kafka input, through a file
// output, each exactly once, in Fluent Bit's record shape.
func TestKafkaInputDeliversEveryRecord(t *testing.T) {
	const n = 20000
	_, addr := kafkaStartCluster(t, kfake.SeedTopics(3, "logs"))
	kafkaProduceNumbered(t, addr, "logs", 0, n)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "aggregator.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  10

[INPUT]
    Name      kafka
    Tag       kafka
    Brokers   %s
    Topics    logs
    Group_Id  e2e
    Format    json
    poll_ms   100
    rdkafka.auto.offset.reset  earliest

[OUTPUT]
    Name    file
    Match   kafka
    Path    %s
    File    out.log
    Format  plain
`, addr, dir))
	p := start(t, nil, "-c", cfg)
	out := filepath.Join(dir, "out.log")
	eventually(t, 30*time.Second, "all records in out.log", func() bool { return len(jsonLines(t, out)) >= n })
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	recs := jsonLines(t, out)
	values := make([][]byte, len(recs))
	for i, r := range recs {
		if r["topic"] != "logs" || r["error"] != nil {
			t.Fatalf("record shape: %v", r)
		}
		values[i], _ = json.Marshal(r)
	}
	missing, dups := kafkaLossAndDuplicates(kafkaSeqCounts(t, values, "payload"), n)
	if len(missing) > 0 || dups > 0 {
		t.Fatalf("%d records; missing %d %v; duplicates %d", len(recs), len(missing), head(missing), dups)
	}
}

// kafkaProduceNumbered writes records {"seq":i} for i in [from, from+n),
// keyed by i so they spread over the partitions.
func kafkaProduceNumbered(t *testing.T, addr, topic string, from, n int) {
	t.Helper()
	cl := kafkaClient(t, addr)
	recs := make([]*kgo.Record, 0, n)
	for i := from; i < from+n; i++ {
		recs = append(recs, &kgo.Record{Topic: topic, Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, `{"seq":%d,"msg":"record %d"}`, i, i)})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// TestKafkaOutputRetriesThroughBrokerOutage: the agent starts while the
// broker is down. Its flushes fail within rdkafka.message.timeout.ms and
// the engine retries them with backoff (no retry loop in the output); once
// the broker is up, every record arrives, none lost.
func TestKafkaOutputRetriesThroughBrokerOutage(t *testing.T) {
	const n = 5000
	port := freePort(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "agent.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.2
    scheduler.cap   1

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name     kafka
    Match    app
    Brokers  127.0.0.1:%d
    Topics   logs
    rdkafka.message.timeout.ms  1000
`, port))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	eventually(t, 20*time.Second, "the engine to retry a failed flush", func() bool {
		return strings.Contains(p.stderr.String(), "will retry")
	})
	_, addr := kafkaStartCluster(t, kfake.Ports(port), kfake.SeedTopics(3, "logs"))
	recs := kafkaConsumeAll(t, addr, n, "logs")
	values := make([][]byte, len(recs))
	for i, r := range recs {
		values[i] = r.Value
	}
	missing, dups := kafkaLossAndDuplicates(kafkaSeqCounts(t, values), n)
	if len(missing) > 0 {
		t.Fatalf("lost %d records after the outage (first %v)", len(missing), head(missing))
	}
	t.Logf("%d records delivered after the outage; duplicates %d", n, dups)
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
