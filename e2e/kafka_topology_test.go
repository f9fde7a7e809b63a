package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// kafkaAgentConf is an agent: stdin -> kafka output, keyed by record id so
// the records spread over the topic's partitions.
const kafkaAgentConf = `
[SERVICE]
    Flush  0.1
    Grace  10

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name               kafka
    Match              app
    Brokers            %s
    Topics             logs
    Message_Key_Field  id
    rdkafka.linger.ms  2
`

// kafkaAggregatorConf is an aggregator: a member of consumer group
// aggregators -> file output. The short session timeout lets the group
// notice a killed member within seconds.
const kafkaAggregatorConf = `
[SERVICE]
    Flush      0.1
    Grace      10
    Log_Level  info

[INPUT]
    Name      kafka
    Tag       agg
    Brokers   %s
    Topics    logs
    Group_Id  aggregators
    Format    json
    poll_ms   50
    rdkafka.auto.offset.reset      earliest
    rdkafka.session.timeout.ms     3000
    rdkafka.heartbeat.interval.ms  300

[OUTPUT]
    Name    file
    Match   agg
    Path    %s
    File    out.log
    Format  plain
`

// TestKafkaAggregatorTopologySurvivesKill9 runs the scale-out topology:
// two agents produce numbered records into a six-partition topic, an
// aggregator group of three sluice processes consumes it into files, and
// one aggregator is killed with SIGKILL mid-stream. Every record must
// arrive in the union of the aggregators' files; duplicates (records the
// killed member accepted after its last commit) are allowed and reported.
func TestKafkaAggregatorTopologySurvivesKill9(t *testing.T) {
	const perAgent = 15000
	_, addr := kafkaStartCluster(t, kfake.SeedTopics(6, "logs"))
	dir := t.TempDir()

	aggs := make([]*process, 3)
	outs := make([]string, 3)
	for i := range aggs {
		d := filepath.Join(dir, fmt.Sprintf("agg%d", i))
		outs[i] = filepath.Join(d, "out.log")
		cfg := writeFile(t, d, "aggregator.conf", fmt.Sprintf(kafkaAggregatorConf, addr, d))
		aggs[i] = start(t, nil, "-c", cfg)
	}
	eventually(t, 30*time.Second, "the three aggregators to share the partitions", func() bool {
		for _, a := range aggs {
			if !strings.Contains(a.stderr.String(), "partitions assigned") {
				return false
			}
		}
		return true
	})

	// Each agent's stdin is written by the test while the aggregators run.
	agents := make([]*io.PipeWriter, 2)
	agentProcs := make([]*process, 2)
	for i := range agents {
		r, w := io.Pipe()
		agents[i] = w
		cfg := writeFile(t, dir, fmt.Sprintf("agent%d.conf", i), fmt.Sprintf(kafkaAgentConf, addr))
		agentProcs[i] = start(t, r, "-c", cfg)
	}
	writeBlock := func(from, to int) {
		for a, w := range agents {
			var b strings.Builder
			for seq := from; seq < to; seq++ {
				n := a*perAgent + seq
				fmt.Fprintf(&b, `{"seq":%d,"id":"req-%d","agent":%d,"msg":"request %d served"}`+"\n", n, n, a, n)
			}
			if _, err := io.WriteString(w, b.String()); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Stream in blocks; kill aggregator 0 once it has written records and
	// while the agents are still producing.
	const block = 500
	victim := aggs[0]
	killed := false
	for from := 0; from < perAgent; from += block {
		writeBlock(from, from+block)
		if !killed && from >= perAgent/3 {
			eventually(t, 20*time.Second, "the victim to have consumed records", func() bool { return len(jsonLines(t, outs[0])) > 0 })
			victim.cmd.Process.Signal(syscall.SIGKILL)
			victim.wait(5 * time.Second)
			killed = true
			t.Logf("killed aggregator 0 after %d of %d records per agent were written", from+block, perAgent)
		}
	}
	for _, w := range agents {
		w.Close()
	}

	total := 2 * perAgent
	var seen map[int]int
	deadline := time.Now().Add(40 * time.Second)
	for {
		seen = kafkaTopologySeen(t, outs)
		missing, dups := kafkaLossAndDuplicates(seen, total)
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for i, a := range agentProcs {
				t.Logf("agent %d stderr:\n%s", i, a.stderr.String())
			}
			var all [][]byte
			for _, r := range kafkaConsumeAllUntilIdle(t, addr, "logs") {
				all = append(all, r.Value)
			}
			km, kd := kafkaLossAndDuplicates(kafkaSeqCounts(t, all), total)
			t.Logf("the topic holds %d records: missing %d, duplicates %d", len(all), len(km), kd)
			t.Fatalf("lost %d of %d records (first %v); duplicates %d", len(missing), total, head(missing), dups)
		}
		time.Sleep(50 * time.Millisecond)
	}
	missing, dups := kafkaLossAndDuplicates(seen, total)
	perAgg := make([]int, 3)
	for i, o := range outs {
		perAgg[i] = len(jsonLines(t, o))
	}
	t.Logf("%d records produced; lost %d; duplicates %d (at least once); records per aggregator %v", total, len(missing), dups, perAgg)
	for i, a := range aggs[1:] {
		if code := a.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Errorf("aggregator %d exit code %d", i+1, code)
		}
	}
	for i, a := range agentProcs {
		if code := a.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Errorf("agent %d exit code %d", i, code)
		}
	}

	// The stopped aggregators committed everything they delivered, so a
	// new member of the group starts after it: given one new record, that
	// is all it receives.
	d := filepath.Join(dir, "agg-new")
	fresh := start(t, nil, "-c", writeFile(t, d, "aggregator.conf", fmt.Sprintf(kafkaAggregatorConf, addr, d)))
	kafkaProduceNumbered(t, addr, "logs", total, 1)
	newOut := filepath.Join(d, "out.log")
	eventually(t, 30*time.Second, "the new aggregator to receive the new record", func() bool { return len(jsonLines(t, newOut)) > 0 })
	if code := fresh.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("new aggregator exit code %d", code)
	}
	if got := len(jsonLines(t, newOut)); got != 1 {
		t.Errorf("after a graceful stop of the group, a new member received %d records, want only the 1 new one", got)
	}
}

// kafkaTopologySeen counts the seq of every record in the files.
func kafkaTopologySeen(t *testing.T, files []string) map[int]int {
	t.Helper()
	var values [][]byte
	for _, f := range files {
		for _, r := range jsonLines(t, f) {
			v, _ := json.Marshal(r)
			values = append(values, v)
		}
	}
	return kafkaSeqCounts(t, values, "payload")
}

// kafkaConsumeAllUntilIdle reads topic from the start until a poll of a
// second brings nothing.
func kafkaConsumeAllUntilIdle(t *testing.T, addr, topic string) []*kgo.Record {
	t.Helper()
	cl := kafkaClient(t, addr, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var out []*kgo.Record
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		recs := fs.Records()
		if len(recs) == 0 {
			return out
		}
		out = append(out, recs...)
	}
}
