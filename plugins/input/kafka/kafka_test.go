package kafka

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func startCluster(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "logs"), kfake.GroupMinSessionTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// produce writes the values to topic logs, keyed by their index.
func produce(t *testing.T, c *kfake.Cluster, from int, values ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for i, v := range values {
		recs = append(recs, &kgo.Record{Topic: "logs", Key: fmt.Appendf(nil, "k%d", from+i), Value: []byte(v)})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// collector is an Emitter that keeps the bodies it accepted, as JSON, and
// can be told to refuse batches.
type collector struct {
	mu     sync.Mutex
	bodies []string
	refuse bool
}

func (c *collector) Emit(ctx context.Context, tag string, events []byte, n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refuse {
		return context.Canceled
	}
	it := record.NewIterator(events)
	for it.Next() {
		js, _, err := record.AppendJSON(nil, it.Event().Body)
		if err != nil {
			return err
		}
		c.bodies = append(c.bodies, string(js))
	}
	return it.Err()
}

func (c *collector) snapshot() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.bodies...)
}

func (c *collector) waitFor(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := c.snapshot()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("collected %d of %d records", len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runInput starts the input and returns a stop function that cancels it
// and waits for Run to return.
func runInput(t *testing.T, c *kfake.Cluster, emit plugin.Emitter, kv ...string) func() {
	t.Helper()
	col, refusing := emit.(*collector)
	refusing = refusing && col.refuse
	return runInputErr(t, c, emit, refusing, kv...)
}

func runInputErr(t *testing.T, c *kfake.Cluster, emit plugin.Emitter, wantErr bool, kv ...string) func() {
	t.Helper()
	base := []string{"brokers", strings.Join(c.ListenAddrs(), ","), "topics", "logs", "group_id", "g1",
		"rdkafka.auto.offset.reset", "earliest", "poll_ms", "50", "rdkafka.session.timeout.ms", "2000", "rdkafka.heartbeat.interval.ms", "200"}
	in, err := New(plugintest.Settings(t, Spec(), append(base, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, emit) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if (err != nil) != wantErr {
					t.Errorf("Run: %v (want an error: %v)", err, wantErr)
				}
			case <-time.After(15 * time.Second):
				t.Error("Run did not return after cancel")
			}
			in.Close(context.Background()) // as the engine does after the outputs' grace
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestRecordShape(t *testing.T) {
	c := startCluster(t)
	produce(t, c, 0, `{"msg":"hi","n":1}`, `not json`)
	col := &collector{}
	stop := runInput(t, c, col, "format", "json")
	got := col.waitFor(t, 2)
	stop()
	var parsed, plain map[string]any
	for _, js := range got {
		var m map[string]any
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["payload"].(map[string]any); ok {
			parsed = m
		} else {
			plain = m
		}
	}
	if parsed == nil || plain == nil {
		t.Fatalf("want one parsed and one string payload: %v", got)
	}
	if p := parsed["payload"].(map[string]any); p["msg"] != "hi" || p["n"] != 1.0 {
		t.Errorf("parsed payload %v", p)
	}
	if plain["payload"] != "not json" {
		t.Errorf("unparsable payload must stay a string: %v", plain["payload"])
	}
	for _, m := range []map[string]any{parsed, plain} {
		if m["topic"] != "logs" || m["error"] != nil || m["key"] == nil || m["offset"] == nil || m["partition"] == nil {
			t.Errorf("record lacks Fluent Bit's fields: %v", m)
		}
	}
}

func TestFormatNoneKeepsString(t *testing.T) {
	c := startCluster(t)
	produce(t, c, 0, `{"a":1}`)
	col := &collector{}
	runInput(t, c, col)
	got := col.waitFor(t, 1)
	if !strings.Contains(got[0], `"payload":"{\"a\":1}"`) {
		t.Errorf("format none: %s", got[0])
	}
}

// What one member accepted is committed: the next member of the group
// starts after it and receives only new records.
func TestCommitsAcceptedRecords(t *testing.T) {
	c := startCluster(t)
	var vals []string
	for i := range 30 {
		vals = append(vals, fmt.Sprintf(`{"seq":%d}`, i))
	}
	produce(t, c, 0, vals...)
	first := &collector{}
	stop := runInput(t, c, first)
	first.waitFor(t, 30)
	stop()

	produce(t, c, 30, `{"seq":30}`, `{"seq":31}`)
	second := &collector{}
	runInput(t, c, second)
	got := second.waitFor(t, 2)
	time.Sleep(300 * time.Millisecond) // let a wrongly uncommitted backlog show up
	if got = second.snapshot(); len(got) != 2 {
		t.Errorf("second member got %d records, want only the 2 new ones: %v", len(got), got)
	}
}

// Records Emit refused are not committed: the next member gets them.
func TestRefusedRecordsAreNotCommitted(t *testing.T) {
	c := startCluster(t)
	produce(t, c, 0, `{"seq":0}`, `{"seq":1}`, `{"seq":2}`)
	refusing := &collector{refuse: true}
	stop := runInput(t, c, refusing)
	time.Sleep(500 * time.Millisecond) // it polls, Emit refuses, Run returns
	stop()
	next := &collector{}
	runInput(t, c, next)
	if got := next.waitFor(t, 3); len(got) != 3 {
		t.Errorf("got %d", len(got))
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{"format", "avro"}, "valid values are none, json"},
		{[]string{"rdkafka.partition.assignment.strategy", "sticky"}, `unknown assignment strategy "sticky"`},
		{[]string{"rdkafka.session.timeout.ms", "3000", "rdkafka.heartbeat.interval.ms", "3000"}, "must be below rdkafka.session.timeout.ms"},
		{[]string{"rdkafka.auto.offset.reset", "middle"}, "valid values are smallest"},
	} {
		s, err := plugintest.TrySettings(Spec(), append([]string{"brokers", "b:9092", "topics", "t"}, tc.kv...)...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.kv, err, tc.want)
		}
	}
	if _, err := plugintest.TrySettings(Spec(), "brokers", "b:9092"); err == nil || !strings.Contains(err.Error(), `"topics"`) {
		t.Errorf("topics must be required: %v", err)
	}
}

func TestOffsetTrackerCommitsOnlyFinishedPrefix(t *testing.T) {
	var tr offsetTracker
	a := tr.track([]*kgo.Record{{Topic: "a", Partition: 0, Offset: 4}, {Topic: "a", Partition: 0, Offset: 2}, {Topic: "a", Partition: 1, Offset: 9}})
	b := tr.track([]*kgo.Record{{Topic: "a", Partition: 0, Offset: 5}})
	tr.done(b, true)
	if m := tr.take(); len(m) != 0 {
		t.Fatalf("a later batch finished first must wait for the earlier one: %v", m)
	}
	tr.done(a, true)
	m := tr.take()
	if m["a"][0].Offset != 6 || m["a"][1].Offset != 10 {
		t.Fatalf("next offsets %v", m)
	}
	c := tr.track([]*kgo.Record{{Topic: "a", Partition: 0, Offset: 7}})
	tr.done(c, true)
	tr.restore(m) // a failed commit must not rewind newer progress
	if m = tr.take(); m["a"][0].Offset != 8 || m["a"][1].Offset != 10 {
		t.Errorf("after restore %v", m)
	}

	// A batch acknowledged after its partition was revoked commits nothing
	// for it; one dropped at shutdown blocks everything after it.
	d := tr.track([]*kgo.Record{{Topic: "a", Partition: 0, Offset: 8}, {Topic: "a", Partition: 1, Offset: 10}})
	tr.forget(map[string][]int32{"a": {0}})
	tr.done(d, true)
	if m = tr.take(); len(m["a"]) != 1 || m["a"][1].Offset != 11 {
		t.Errorf("revoked partition committed: %v", m)
	}
	// Given up on while running (permanent, Retry_Limit): committed past.
	g := tr.track([]*kgo.Record{{Topic: "a", Partition: 1, Offset: 11}})
	tr.done(g, false)
	if m = tr.take(); m["a"][1].Offset != 12 {
		t.Errorf("a batch given up on while running must not hold the commit back: %v", m)
	}
	tr.stop()
	e := tr.track([]*kgo.Record{{Topic: "a", Partition: 1, Offset: 12}})
	f := tr.track([]*kgo.Record{{Topic: "a", Partition: 1, Offset: 13}})
	tr.done(e, false)
	tr.done(f, true)
	if m = tr.take(); len(m) != 0 {
		t.Errorf("records dropped at shutdown must hold the commit back: %v", m)
	}
}

// ackCollector acknowledges batches only when told to.
type ackCollector struct {
	collector
	mu      sync.Mutex
	pending []func(bool)
}

func (c *ackCollector) EmitWithAck(ctx context.Context, tag string, events []byte, n int, done func(bool)) error {
	if err := c.collector.Emit(ctx, tag, events, n); err != nil {
		return err
	}
	c.mu.Lock()
	c.pending = append(c.pending, done)
	c.mu.Unlock()
	return nil
}

func (c *ackCollector) ackAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.pending {
		d(true)
	}
	c.pending = nil
}

// With an acknowledging engine, records are committed only once the
// outputs are done with them: until then a new member gets them again.
func TestCommitWaitsForAcknowledgement(t *testing.T) {
	c := startCluster(t)
	produce(t, c, 0, `{"seq":0}`, `{"seq":1}`, `{"seq":2}`)
	unacked := &ackCollector{}
	stop := runInput(t, c, unacked)
	unacked.waitFor(t, 3)
	stop() // commits whatever is committable: nothing yet

	// Acknowledgements that arrive after Run returned, while the engine's
	// outputs finish within the grace period, are committed by Close.
	acked := &ackCollector{}
	in, err := New(plugintest.Settings(t, Spec(), "brokers", strings.Join(c.ListenAddrs(), ","), "topics", "logs", "group_id", "g1",
		"rdkafka.auto.offset.reset", "earliest", "poll_ms", "50", "rdkafka.session.timeout.ms", "2000", "rdkafka.heartbeat.interval.ms", "200"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, acked) }()
	acked.waitFor(t, 3)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	acked.ackAll()
	in.Close(context.Background())

	produce(t, c, 3, `{"seq":3}`)
	last := &collector{}
	runInput(t, c, last)
	last.waitFor(t, 1)
	time.Sleep(300 * time.Millisecond)
	if got := last.snapshot(); len(got) != 1 {
		t.Errorf("after the acknowledged commit a new member got %d records, want only the new one: %v", len(got), got)
	}
}
