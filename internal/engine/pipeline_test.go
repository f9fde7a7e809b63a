package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// feed is a test input: Run emits the batches sent on its channel, then
// waits for cancellation.
type feed struct {
	tag     string
	batches chan []int // record numbers to emit, one Emit per batch
	emitted atomic.Int64
}

func (f *feed) Run(ctx context.Context, emit plugin.Emitter) error {
	var b record.Builder
	for {
		select {
		case <-ctx.Done():
			return nil
		case nums, ok := <-f.batches:
			if !ok {
				<-ctx.Done()
				return nil
			}
			b.Reset()
			for _, n := range nums {
				b.BeginEvent(record.Time(int64(n)*1e9), nil)
				b.AppendMapHeader(1)
				b.AppendString("n")
				b.AppendInt(int64(n))
			}
			if err := emit.Emit(ctx, f.tag, b.Bytes(), b.Records()); err != nil {
				return nil
			}
			f.emitted.Add(int64(len(nums)))
		}
	}
}

// sink is a test output that records what it receives and fails on demand.
type sink struct {
	mu       sync.Mutex
	got      []int
	flushes  int
	failWith func(attempt int, c *record.Chunk) error
	block    chan struct{} // when set, Flush waits on it
}

func (s *sink) Flush(ctx context.Context, c *record.Chunk) error {
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	s.flushes++
	attempt := s.flushes
	s.mu.Unlock()
	if s.failWith != nil {
		if err := s.failWith(attempt, c); err != nil {
			_, _, failed := plugin.Classify(err)
			s.record(c, failed)
			return err
		}
	}
	s.record(c, nil)
	return nil
}

// record keeps the numbers of the records delivered (all but skip).
func (s *sink) record(c *record.Chunk, skip []int) {
	skipped := map[int]bool{}
	for _, i := range skip {
		skipped[i] = true
	}
	if skip == nil && s.failWith != nil {
		// a failure without indexes delivered nothing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it := record.NewIterator(c.Data)
	for it.Next() {
		if skip != nil && skipped[it.Index()] {
			continue
		}
		v, _ := record.Lookup(it.Event().Body, "n")
		var out []byte
		out, _, _ = record.AppendJSON(out, v)
		n, _ := strconv.Atoi(string(out))
		s.got = append(s.got, n)
	}
}

func (s *sink) numbers() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.got...)
}

// upper is a test filter that drops odd records.
type dropOdd struct{}

func (dropOdd) Filter(_ string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	it := record.NewIterator(events)
	for it.Next() {
		v, _ := record.Lookup(it.Event().Body, "n")
		if len(v) == 1 && v[0]%2 == 0 { // positive fixint
			out.AppendRaw(it.Event().Raw)
		}
	}
	return plugin.FilterModified, it.Err()
}

// harness builds a pipeline from sections whose plugins are the given
// test instances, looked up by the section's Name.
type harness struct {
	inputs  map[string]*feed
	outputs map[string]*sink
}

func (h *harness) registry(t *testing.T) *plugin.Registry {
	t.Helper()
	reg, err := plugin.NewRegistry(registrySpecs(h)...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// registrySpecs declares the test plugins backed by h's instances.
func registrySpecs(h *harness) []plugin.Spec {
	return []plugin.Spec{
		plugin.Spec{Kind: plugin.KindInput, Name: "feed", Params: []plugin.Param{{Name: "id", Doc: "test id"}},
			NewInput: func(s plugin.Settings) (plugin.Input, error) {
				f := h.inputs[s.Config.String("id")]
				f.tag = s.Tag
				return f, nil
			}},
		plugin.Spec{Kind: plugin.KindOutput, Name: "sink", Params: []plugin.Param{{Name: "id", Doc: "test id"}},
			NewOutput: func(s plugin.Settings) (plugin.Output, error) { return h.outputs[s.Config.String("id")], nil }},
		plugin.Spec{Kind: plugin.KindFilter, Name: "drop_odd",
			NewFilter: func(plugin.Settings) (plugin.Filter, error) { return dropOdd{}, nil }},
	}
}

func section(kind config.Kind, kv ...string) config.Section {
	s := config.Section{Kind: kind, Pos: config.Position{File: "test.conf", Line: 1}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Params = append(s.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "test.conf", Line: 2 + i/2}})
	}
	return s
}

func (h *harness) start(t *testing.T, m *config.Model) (*Pipeline, context.CancelFunc, <-chan error) {
	t.Helper()
	p, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return p, cancel, done
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func fastService(kv ...string) config.Section {
	return section(config.KindService, append([]string{"Flush", "0.05", "Grace", "5", "scheduler.base", "0.01", "scheduler.cap", "0.05"}, kv...)...)
}

func TestRoutingFanOutAndFilters(t *testing.T) {
	h := &harness{
		inputs:  map[string]*feed{"a": {batches: make(chan []int, 4)}, "b": {batches: make(chan []int, 4)}},
		outputs: map[string]*sink{"all": {}, "app": {}, "audit": {}},
	}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app.web"))
	m.Add(section(config.KindInput, "Name", "feed", "id", "b", "Tag", "audit"))
	m.Add(section(config.KindFilter, "Name", "drop_odd", "Match", "audit"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "all", "Match", "*"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "app", "Match_Regex", `^app\.`))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "audit", "Match", "audit"))
	p, cancel, done := h.start(t, m)
	h.inputs["a"].batches <- seq(0, 10)
	h.inputs["b"].batches <- seq(100, 110)
	waitFor(t, "delivery", func() bool { return len(h.outputs["all"].numbers()) == 15 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := h.outputs["app"].numbers(); fmt.Sprint(got) != fmt.Sprint(seq(0, 10)) {
		t.Errorf("app output got %v", got)
	}
	if got := h.outputs["audit"].numbers(); fmt.Sprint(got) != "[100 102 104 106 108]" {
		t.Errorf("audit output got %v (odd records should be filtered)", got)
	}
	f := p.Metrics().Filters()[0]
	if f.DropRecords.Load() != 5 || f.Records.Load() != 10 {
		t.Errorf("filter metrics: records %d dropped %d", f.Records.Load(), f.DropRecords.Load())
	}
	for _, o := range p.Metrics().Outputs() {
		if o.DroppedRecords.Load() != 0 {
			t.Errorf("%s dropped %d records", o.Name, o.DroppedRecords.Load())
		}
	}
	for _, in := range p.Metrics().Inputs() {
		if in.BufferedBytes.Load() != 0 {
			t.Errorf("%s still accounts %d buffered bytes after delivery", in.Name, in.BufferedBytes.Load())
		}
	}
}

func TestPartialFailureRetriesOnlyFailedRecords(t *testing.T) {
	out := &sink{failWith: func(attempt int, c *record.Chunk) error {
		if attempt == 1 {
			return plugin.Partial(errors.New("2 records throttled"), []int{1, 3})
		}
		return nil
	}}
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{"o": out}}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
	p, cancel, done := h.start(t, m)
	h.inputs["a"].batches <- seq(0, 5)
	waitFor(t, "retry", func() bool { return len(out.numbers()) == 5 })
	cancel()
	<-done
	if got := fmt.Sprint(out.numbers()); got != "[0 2 4 1 3]" {
		t.Errorf("delivered %s, want each record once: [0 2 4 1 3]", got)
	}
	o := p.Metrics().Outputs()[0]
	if o.ProcRecords.Load() != 5 || o.Retries.Load() != 1 || o.RetriedRecords.Load() != 2 || o.Errors.Load() != 1 {
		t.Errorf("metrics: proc %d retries %d retried %d errors %d", o.ProcRecords.Load(), o.Retries.Load(), o.RetriedRecords.Load(), o.Errors.Load())
	}
}

func TestRetryLimitAndPermanentErrorsAreCountedDrops(t *testing.T) {
	tests := []struct {
		name       string
		retryLimit string
		err        error
		reason     string
		flushes    int
	}{
		{"retry limit", "2", errors.New("connection refused"), "retry_limit", 3},
		{"no retries", "no_retries", errors.New("connection refused"), "retry_limit", 1},
		{"permanent", "no_limits", plugin.Permanent(errors.New("invalid record")), "permanent_error", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &sink{failWith: func(int, *record.Chunk) error { return tt.err }}
			h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{"o": out}}
			m := &config.Model{Service: fastService()}
			m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
			m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*", "Retry_Limit", tt.retryLimit))
			p, cancel, done := h.start(t, m)
			h.inputs["a"].batches <- seq(0, 3)
			o := p.Metrics().Outputs()[0]
			waitFor(t, "drop", func() bool { return o.DroppedRecords.Load() == 3 })
			cancel()
			<-done
			if got := o.DroppedByReason()[tt.reason]; got != 3 {
				t.Errorf("dropped by %s = %d, want 3 (%v)", tt.reason, got, o.DroppedByReason())
			}
			out.mu.Lock()
			flushes := out.flushes
			out.mu.Unlock()
			if flushes != tt.flushes {
				t.Errorf("flush attempts = %d, want %d", flushes, tt.flushes)
			}
		})
	}
}

func TestMemBufLimitPausesInputWhileOutputIsBlocked(t *testing.T) {
	out := &sink{block: make(chan struct{})}
	in := &feed{batches: make(chan []int)}
	h := &harness{inputs: map[string]*feed{"a": in}, outputs: map[string]*sink{"o": out}}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Mem_Buf_Limit", "4K"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
	p, cancel, done := h.start(t, m)
	metrics := p.Metrics().Inputs()[0]
	const batches = 200
	go func() {
		for i := 0; i < batches; i++ {
			in.batches <- seq(i*10, i*10+10)
		}
	}()
	// The input must pause: far fewer than all batches get in while the
	// output is blocked, and the buffered bytes stay near the limit.
	waitFor(t, "pause", func() bool {
		return metrics.Paused.Load() > 0
	})
	for i := 0; i < 20; i++ {
		if b := metrics.BufferedBytes.Load(); b > 4096+512 {
			t.Fatalf("buffered %d bytes with Mem_Buf_Limit 4K", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if in.emitted.Load() >= batches*10 {
		t.Fatal("input was never paused")
	}
	close(out.block)
	waitFor(t, "all records", func() bool { return len(out.numbers()) == batches*10 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestShutdownDeliversBufferedRecordsWithinGrace(t *testing.T) {
	out := &sink{}
	in := &feed{batches: make(chan []int, 1)}
	h := &harness{inputs: map[string]*feed{"a": in}, outputs: map[string]*sink{"o": out}}
	// A flush interval far longer than the test: only shutdown can flush.
	m := &config.Model{Service: section(config.KindService, "Flush", "3600", "Grace", "5")}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o"))
	_, cancel, done := h.start(t, m)
	in.batches <- seq(0, 100)
	waitFor(t, "emit", func() bool { return in.emitted.Load() == 100 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(out.numbers()); n != 100 {
		t.Fatalf("delivered %d records at shutdown, want 100", n)
	}
}

func TestShutdownCountsWhatGraceCouldNotDeliver(t *testing.T) {
	out := &sink{failWith: func(int, *record.Chunk) error { return errors.New("destination down") }}
	in := &feed{batches: make(chan []int, 1)}
	h := &harness{inputs: map[string]*feed{"a": in}, outputs: map[string]*sink{"o": out}}
	m := &config.Model{Service: fastService("Grace", "0.3")}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o"))
	p, cancel, done := h.start(t, m)
	in.batches <- seq(0, 7)
	waitFor(t, "a retry", func() bool { return p.Metrics().Outputs()[0].Retries.Load() > 0 })
	cancel()
	err := <-done
	if err == nil {
		t.Fatal("Run returned nil although records were lost")
	}
	if got := p.Metrics().Outputs()[0].DroppedByReason()["shutdown"]; got != 7 {
		t.Errorf("dropped at shutdown = %d, want 7", got)
	}
}

func TestConfigErrorsAreCollectedWithPositions(t *testing.T) {
	h := &harness{}
	m := &config.Model{}
	m.Add(section(config.KindInput, "Name", "feeed"))
	m.Add(section(config.KindOutput, "Name", "sink", "Match", "*", "Retry_Limit", "sometimes", "colour", "red"))
	_, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text")})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{`test.conf:2: [INPUT] unknown input plugin "feeed"; did you mean "feed"?`,
		`unknown parameter "colour"`, `Retry_Limit: invalid value "sometimes"`} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q\nlacks %q", err, want)
		}
	}
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
