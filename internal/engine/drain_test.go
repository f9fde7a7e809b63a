package engine

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// holdAll is a test filter that keeps every record until Drain, as a
// multiline filter holds an unfinished trace.
type holdAll struct {
	emit plugin.Emitter
	mu   sync.Mutex
	held record.Builder
	tag  string
}

func (f *holdAll) Filter(tag string, events []byte, _ *record.Builder) (plugin.FilterResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tag = tag
	it := record.NewIterator(events)
	for it.Next() {
		f.held.AppendRaw(it.Event().Raw)
	}
	return plugin.FilterModified, it.Err()
}

func (f *holdAll) Drain(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.emit.Emit(ctx, f.tag, f.held.Bytes(), f.held.Records())
}

// TestDrainerDeliversHeldRecordsAtShutdown: what a plugin.Drainer holds
// when the pipeline stops is emitted before the last seal and delivered
// within Grace, so shutdown loses nothing.
func TestDrainerDeliversHeldRecordsAtShutdown(t *testing.T) {
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{"o": {}}}
	var f *holdAll
	reg, err := plugin.NewRegistry(append(registrySpecs(h),
		plugin.Spec{Kind: plugin.KindFilter, Name: "hold_all", Emits: true,
			NewFilter: func(s plugin.Settings) (plugin.Filter, error) {
				f = &holdAll{emit: s.Emitter}
				return f, nil
			}})...)
	if err != nil {
		t.Fatal(err)
	}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app"))
	m.Add(section(config.KindFilter, "Name", "hold_all", "Match", "*"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "app"))
	p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	h.inputs["a"].batches <- seq(0, 100)
	waitFor(t, "the filter to hold the batch", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.held.Records() == 100
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := h.outputs["o"].numbers()
	if len(got) != 100 {
		t.Fatalf("delivered %d held records at shutdown, want 100", len(got))
	}
}
