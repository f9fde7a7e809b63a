package dummy

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// newInput builds the input from classic key/value pairs, through the same
// Decode the engine uses.
func newInput(t testing.TB, kv ...string) (*Input, error) {
	t.Helper()
	sect := &config.Section{Kind: config.KindInput, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "dummy"})
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "test.conf", Line: 2 + i/2, Column: 5}})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[INPUT] dummy")
	if err != nil {
		return nil, err
	}
	return New(plugin.Settings{ID: "dummy.0", Tag: "dummy.tag", Config: cfg})
}

func mustInput(t *testing.T, kv ...string) *Input {
	t.Helper()
	in, err := newInput(t, kv...)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// emitter records what an input emits. With blocked set, every Emit
// signals it and waits for ctx, as a paused pipeline does.
type emitter struct {
	mu      sync.Mutex
	calls   int
	tags    []string
	events  []record.Event
	blocked chan struct{}
}

func (e *emitter) Emit(ctx context.Context, tag string, events []byte, records int) error {
	if e.blocked != nil {
		select {
		case e.blocked <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return ctx.Err()
	}
	data := append([]byte(nil), events...) // the caller reuses events
	it := record.NewIterator(data)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls++
	n := 0
	for it.Next() {
		e.events = append(e.events, *it.Event())
		e.tags = append(e.tags, tag)
		n++
	}
	if it.Err() != nil || n != records {
		panic("emitted a bad batch")
	}
	return nil
}

func (e *emitter) count() (records, calls int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.events), e.calls
}

// run runs in until it returns or timeout passes, and reports whether it
// returned on its own.
func run(t *testing.T, in *Input, e *emitter, timeout time.Duration) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := in.Run(ctx, e); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return ctx.Err() == nil
}

func TestSamplesCopiesAndStartTime(t *testing.T) {
	in := mustInput(t, "Dummy", `{"event":"login","n":1}`, "Metadata", `{"m":"x"}`,
		"Rate", "1000", "Samples", "3", "Copies", "2", "Start_time_sec", "1700000000", "Start_time_nsec", "5")
	var e emitter
	if !run(t, in, &e, 10*time.Second) {
		t.Fatal("Run did not return after Samples")
	}
	if len(e.events) != 6 {
		t.Fatalf("got %d records, want Samples*Copies = 6", len(e.events))
	}
	for i, ev := range e.events {
		want := record.Time(1700000000_000000005 + int64(i/2+1)*1_000_000)
		if ev.Time != want {
			t.Errorf("record %d: time %d, want %d (start + k ms)", i, ev.Time, want)
		}
		if e.tags[i] != "dummy.tag" {
			t.Errorf("tag %q", e.tags[i])
		}
		if v, ok := record.Lookup(ev.Body, "event"); !ok || string(v[1:]) != "login" {
			t.Errorf("body %x", ev.Body)
		}
		if v, ok := record.Lookup(ev.Meta, "m"); !ok || string(v[1:]) != "x" {
			t.Errorf("metadata %x", ev.Meta)
		}
	}
}

func TestFixedTimestampAndFlushOnStartup(t *testing.T) {
	in := mustInput(t, "Samples", "3", "Interval_sec", "0", "Interval_nsec", "1000000",
		"Start_time_sec", "42", "Fixed_timestamp", "on", "Flush_on_startup", "on")
	var e emitter
	if !run(t, in, &e, 10*time.Second) {
		t.Fatal("Run did not return after Samples")
	}
	if len(e.events) != 3 {
		t.Fatalf("got %d records", len(e.events))
	}
	for _, ev := range e.events {
		if ev.Time != 42*1e9 {
			t.Errorf("time %d, want the fixed start time 42s", ev.Time)
		}
		if v, ok := record.Lookup(ev.Body, "message"); !ok || string(v[1:]) != "dummy" {
			t.Errorf("default body %x", ev.Body)
		}
	}
}

func TestFlushOnStartupStartsAtTheStartTime(t *testing.T) {
	in := mustInput(t, "Samples", "2", "Rate", "100", "Start_time_sec", "10", "Flush_on_startup", "true")
	var e emitter
	run(t, in, &e, 10*time.Second)
	if len(e.events) != 2 || e.events[0].Time != 10e9 || e.events[1].Time != 10e9+10e6 {
		t.Fatalf("times %v, want 10s and 10.01s", e.events)
	}
}

func TestCurrentTimeByDefault(t *testing.T) {
	before := record.Now()
	in := mustInput(t, "Samples", "1", "Rate", "50")
	var e emitter
	run(t, in, &e, 10*time.Second)
	after := record.Now()
	if len(e.events) != 1 || e.events[0].Time < before || e.events[0].Time > after {
		t.Fatalf("record time outside [%d, %d]: %v", before, after, e.events)
	}
}

func TestRateIsHonoured(t *testing.T) {
	in := mustInput(t, "Rate", "100")
	var e emitter
	run(t, in, &e, 500*time.Millisecond)
	// 50 are due. Only overproduction is a bug; a slow, shared machine
	// (or the race detector) may produce fewer.
	if n, _ := e.count(); n < 1 || n > 60 {
		t.Errorf("%d records in 500ms at Rate 100", n)
	}
}

func TestHighRateIsBatched(t *testing.T) {
	in := mustInput(t, "Rate", "200000")
	var e emitter
	run(t, in, &e, 500*time.Millisecond)
	n, calls := e.count()
	// The upper bound catches overproduction; the lower bound is loose
	// because a slow machine (or -race) may produce far fewer.
	if n < 100 || n > 100000+maxBatchBytes {
		t.Errorf("%d records in 500ms at Rate 200000", n)
	}
	if calls > n/100 {
		t.Errorf("%d Emit calls for %d records: the input should batch", calls, n)
	}
}

func TestRunStopsPromptlyWhileBlocked(t *testing.T) {
	in := mustInput(t, "Rate", "1000")
	e := emitter{blocked: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, &e) }()
	<-e.blocked
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v on cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestIntervalOverridesRate(t *testing.T) {
	for _, tt := range []struct {
		params []string
		want   time.Duration
	}{
		{nil, time.Second},
		{[]string{"Rate", "0"}, time.Second},
		{[]string{"Rate", "4"}, 250 * time.Millisecond},
		{[]string{"Rate", "3"}, 333333333},
		{[]string{"Rate", "1000", "Interval_sec", "2"}, 2 * time.Second},
		{[]string{"Rate", "1000", "Interval_nsec", "5000"}, 5 * time.Microsecond},
		{[]string{"Interval_sec", "1", "Interval_nsec", "500000000"}, 1500 * time.Millisecond},
	} {
		if in := mustInput(t, tt.params...); in.interval != tt.want {
			t.Errorf("%v: interval %v, want %v", tt.params, in.interval, tt.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		params []string
		want   string
	}{
		{[]string{"Dummy", `{"message": "unterminated}`}, `test.conf:2:5: [INPUT] dummy Dummy: invalid JSON (json at offset`},
		{[]string{"Dummy", `[1, 2]`}, `Dummy: is a JSON array; write one JSON object`},
		{[]string{"Metadata", `"text"`}, `Metadata: is a JSON string`},
		{[]string{"Metadata", `{} {}`}, `Metadata: invalid JSON`},
		{[]string{"Copies", "0"}, `Copies: value 0 out of range`},
		{[]string{"Rate", "-5"}, `Rate: value -5 out of range`},
		{[]string{"Samples", "many"}, `Samples: invalid integer "many"`},
	}
	for _, tt := range tests {
		_, err := newInput(t, tt.params...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want it to contain %q", tt.params, err, tt.want)
		}
	}
}
