package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// retagEven is a test emitting filter: it moves even records to tag
// "even" through its emitter and keeps the odd ones.
type retagEven struct{ emit plugin.Emitter }

func (f retagEven) Filter(_ string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	var moved record.Builder
	it := record.NewIterator(events)
	for it.Next() {
		v, _ := record.Lookup(it.Event().Body, "n")
		if len(v) == 1 && v[0]%2 == 0 {
			moved.AppendRaw(it.Event().Raw)
		} else {
			out.AppendRaw(it.Event().Raw)
		}
	}
	if err := f.emit.Emit(context.Background(), "even", moved.Bytes(), moved.Records()); err != nil {
		return plugin.FilterUnchanged, err
	}
	return plugin.FilterModified, it.Err()
}

func TestEmittingFilterReroutesWithoutLooping(t *testing.T) {
	h := &harness{
		inputs:  map[string]*feed{"a": {batches: make(chan []int, 4)}},
		outputs: map[string]*sink{"evens": {}, "rest": {}},
	}
	var gotEmitter plugin.Emitter
	reg, err := plugin.NewRegistry(append(registrySpecs(h),
		plugin.Spec{Kind: plugin.KindFilter, Name: "retag_even", Emits: true,
			NewFilter: func(s plugin.Settings) (plugin.Filter, error) {
				gotEmitter = s.Emitter
				return retagEven{s.Emitter}, nil
			}})...)
	if err != nil {
		t.Fatal(err)
	}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app"))
	// Match * would select the re-emitted "even" records too: they must
	// skip the filter that emitted them, or every one would loop forever.
	m.Add(section(config.KindFilter, "Name", "retag_even", "Match", "*", "Emitter_Name", "re_emitted", "Emitter_Mem_Buf_Limit", "1M"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "evens", "Match", "even"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "rest", "Match", "app"))
	p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		t.Fatal(err)
	}
	if gotEmitter == nil {
		t.Fatal("an Emits filter got no Settings.Emitter")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	h.inputs["a"].batches <- seq(0, 100)
	waitFor(t, "delivery", func() bool {
		return len(h.outputs["evens"].numbers()) == 50 && len(h.outputs["rest"].numbers()) == 50
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evens := h.outputs["evens"].numbers()
	slices.Sort(evens)
	for i, n := range evens {
		if n != 2*i {
			t.Fatalf("evens output got %v", evens)
		}
	}
	var names []string
	for _, in := range p.Metrics().Inputs() {
		names = append(names, in.Name)
		if in.Name == "re_emitted" && in.Records.Load() != 50 {
			t.Errorf("emitter counted %d records, want 50", in.Records.Load())
		}
	}
	if !slices.Contains(names, "re_emitted") {
		t.Errorf("emitter missing from input metrics: %v", names)
	}
}

func TestEmitterParamsOnlyForEmittingFilters(t *testing.T) {
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int)}}, outputs: map[string]*sink{"o": {}}}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
	m.Add(section(config.KindFilter, "Name", "drop_odd", "Match", "*", "Emitter_Name", "x"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
	_, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text")})
	if err == nil || !contains(fmt.Sprint(err), `unknown parameter "Emitter_Name"`) {
		t.Errorf("err = %v, want unknown parameter Emitter_Name", err)
	}
}

func TestSummary(t *testing.T) {
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int)}, "b": {batches: make(chan []int)}},
		outputs: map[string]*sink{"o": {}}}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app.web"))
	m.Add(section(config.KindInput, "Name", "feed", "id", "b", "Tag", "other"))
	m.Add(section(config.KindFilter, "Name", "drop_odd", "Match", "app.*"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "app.*", "Alias", "apps"))
	p, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.Summary(), "\n")
	want := "input  feed.0 (tag app.web) -> apps\ninput  feed.1 (tag other) -> no output (records are discarded)\n" +
		"filter drop_odd.0 [Match app.*]\noutput apps [Match app.*]"
	if got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}

func TestTapSeesInputFilterAndOutputBatches(t *testing.T) {
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 4)}}, outputs: map[string]*sink{"o": {}}}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app"))
	m.Add(section(config.KindFilter, "Name", "drop_odd", "Match", "*"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
	p, cancel, done := h.start(t, m)
	if _, _, _, err := p.Tap("nope"); err == nil || !strings.Contains(err.Error(), "drop_odd.0") {
		t.Errorf("unknown component: %v", err)
	}
	counts := map[string]int{}
	var taps []<-chan TapEvent
	for _, name := range []string{"feed.0", "drop_odd.0", "sink.0"} {
		ch, stop, _, err := p.Tap(name)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		taps = append(taps, ch)
	}
	h.inputs["a"].batches <- seq(0, 10)
	for i, ch := range taps {
		select {
		case ev := <-ch:
			counts[ev.Component] += ev.Records
			if ev.Tag != "app" || []string{"input", "filter", "output"}[i] != ev.Kind {
				t.Errorf("event %+v", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no tap event on tap %d", i)
		}
	}
	if counts["feed.0"] != 10 || counts["drop_odd.0"] != 5 || counts["sink.0"] != 5 {
		t.Errorf("records seen per component: %v", counts)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, ch := range taps {
		if _, open := <-ch; open {
			t.Error("a tap stayed open after shutdown")
		}
	}
}

// TestInstanceNamesAreUniquePerKind: as in Fluent Bit, an input and an
// output of the same plugin name are both <name>.0 (forward in and out).
func TestInstanceNamesAreUniquePerKind(t *testing.T) {
	reg, err := plugin.NewRegistry(
		plugin.Spec{Kind: plugin.KindInput, Name: "relay", NewInput: func(plugin.Settings) (plugin.Input, error) { return &feed{batches: make(chan []int)}, nil }},
		plugin.Spec{Kind: plugin.KindOutput, Name: "relay", NewOutput: func(plugin.Settings) (plugin.Output, error) { return &sink{}, nil }},
	)
	if err != nil {
		t.Fatal(err)
	}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "relay"))
	m.Add(section(config.KindOutput, "Name", "relay", "Match", "*"))
	p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		t.Fatalf("an input and an output named relay.0: %v", err)
	}
	if in, out := p.Metrics().Inputs()[0].Name, p.Metrics().Outputs()[0].Name; in != "relay.0" || out != "relay.0" {
		t.Errorf("names %s and %s", in, out)
	}
	m.Add(section(config.KindOutput, "Name", "relay", "Alias", "relay.0", "Match", "*"))
	if _, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(io.Discard, "text")}); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("two outputs named relay.0: %v", err)
	}
}

// TestUnknownServiceKeysAreIgnoredWithAWarning: as in Fluent Bit, a
// [SERVICE] key Sluice does not know is ignored, with a warning naming it.
func TestUnknownServiceKeysAreIgnoredWithAWarning(t *testing.T) {
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int)}}, outputs: map[string]*sink{"o": {}}}
	m := &config.Model{Service: fastService("HTTP_Monitor", "On")}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
	p, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(p.Warnings(), "\n")
	if !strings.Contains(w, `[SERVICE] unknown key "HTTP_Monitor" is ignored`) || !strings.Contains(w, `did you mean "HTTP_Port"`) {
		t.Errorf("warnings: %s", w)
	}
}

// failing is an input whose Run fails at once, as an input that cannot bind
// its port does.
type failing struct{}

func (failing) Run(context.Context, plugin.Emitter) error {
	return errors.New("listen tcp :24224: address already in use")
}

// TestAFailedInputStopsThePipeline: the pipeline shuts down (delivering
// what it buffered) and Run returns the input's error.
func TestAFailedInputStopsThePipeline(t *testing.T) {
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{"o": {}}}
	reg, err := plugin.NewRegistry(append(registrySpecs(h),
		plugin.Spec{Kind: plugin.KindInput, Name: "failing", NewInput: func(plugin.Settings) (plugin.Input, error) { return failing{}, nil }})...)
	if err != nil {
		t.Fatal(err)
	}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
	m.Add(section(config.KindInput, "Name", "failing"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
	p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "failing.0") {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the pipeline kept running without its failed input")
	}
}
