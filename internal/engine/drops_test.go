package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// An output reports the records it could not send (plugin.PartialDropped):
// each group is counted under its reason, the rest counts as delivered,
// and nothing is retried.
func TestPartialDroppedCountsEachReason(t *testing.T) {
	out := &sink{failWith: func(attempt int, c *record.Chunk) error {
		if attempt == 1 {
			return plugin.PartialDropped(nil, nil,
				plugin.Drop{Reason: plugin.ReasonOversize, Indexes: []int{1}, Err: errors.New("record 1 is 2 MiB, over the 1 MiB limit")},
				// duplicates and indexes past the chunk are counted once / not at all
				plugin.Drop{Reason: plugin.ReasonMissingKey, Indexes: []int{3, 3, 99}, Err: errors.New("no log_key")})
		}
		return nil
	}}
	p, cancel, done := feedOne(t, out, 5)
	o := p.Metrics().Outputs()[0]
	waitFor(t, "drops", func() bool { return o.DroppedRecords.Load() == 2 && o.ProcRecords.Load() == 3 })
	cancel()
	<-done
	if got := fmt.Sprint(o.DroppedByReason()); got != "map[missing_key:1 oversize:1]" {
		t.Errorf("dropped by reason %s", got)
	}
	if r := o.Retries.Load(); r != 0 {
		t.Errorf("%d retries, want none: the other records were delivered", r)
	}
}

// A record PartialDropped names that is also failed is retried, and the
// drop leaves the others of the retry alone.
func TestPartialDroppedWithRetries(t *testing.T) {
	out := &sink{failWith: func(attempt int, c *record.Chunk) error {
		if attempt == 1 {
			return plugin.PartialDropped(errors.New("throttled"), []int{2, 4},
				plugin.Drop{Reason: plugin.ReasonRejected, Indexes: []int{0}, Err: errors.New("mapping error")})
		}
		return nil
	}}
	p, cancel, done := feedOne(t, out, 5)
	o := p.Metrics().Outputs()[0]
	waitFor(t, "delivery", func() bool { return o.ProcRecords.Load() == 4 })
	cancel()
	<-done
	if got := fmt.Sprint(o.DroppedByReason()); got != "map[rejected:1]" {
		t.Errorf("dropped by reason %s", got)
	}
	// The sink counts what the first attempt did not fail as delivered,
	// record 0 included; the retry carries only 2 and 4.
	if got := fmt.Sprint(out.numbers()); got != "[0 1 3 2 4]" {
		t.Errorf("delivered %s", got)
	}
}

// feedOne runs a pipeline of one feed input and out, and feeds it records
// 0 to n-1 in one batch.
func feedOne(t *testing.T, out *sink, n int) (*Pipeline, context.CancelFunc, <-chan error) {
	t.Helper()
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{"o": out}}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
	p, cancel, done := h.start(t, m)
	h.inputs["a"].batches <- seq(0, n)
	return p, cancel, done
}

// dropper is a test plugin (filter and output) that reports drops through
// Settings.Drops, as a plugin does where it has no Flush result to use.
type dropper struct{ drops plugin.DropRecorder }

func (d dropper) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	d.drops.Drop(tag, plugin.ReasonPluginError, 1, errors.New("lost one"))
	return plugin.FilterUnchanged, nil
}

func (d dropper) Flush(_ context.Context, c *record.Chunk) error {
	d.drops.Drop(c.Tag, plugin.ReasonStorageLimit, 2, errors.New("store_dir full"))
	return nil
}

func TestSettingsDropsCountedPerInstance(t *testing.T) {
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{}}
	specs := append(registrySpecs(h),
		plugin.Spec{Kind: plugin.KindFilter, Name: "dropper",
			NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return dropper{s.Drops}, nil }},
		plugin.Spec{Kind: plugin.KindOutput, Name: "dropper",
			NewOutput: func(s plugin.Settings) (plugin.Output, error) { return dropper{s.Drops}, nil }})
	reg, err := plugin.NewRegistry(specs...)
	if err != nil {
		t.Fatal(err)
	}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
	m.Add(section(config.KindFilter, "Name", "dropper", "Match", "*"))
	m.Add(section(config.KindOutput, "Name", "dropper", "Match", "*"))
	var logs syncWriter
	p, cancel, done := startWith(t, m, reg, &logs)
	h.inputs["a"].batches <- seq(0, 3)
	o, f := p.Metrics().Outputs()[0], p.Metrics().Filters()[0]
	waitFor(t, "drops", func() bool { return o.DroppedRecords.Load() == 2 && f.Dropped.Total() == 1 })
	cancel()
	<-done
	if got := fmt.Sprint(o.DroppedByReason(), f.Dropped.ByReason()); got != "map[storage_limit:2] map[plugin_error:1]" {
		t.Errorf("dropped %s", got)
	}
	for _, want := range []string{"reason=plugin_error", `error="lost one"`, "reason=storage_limit", `error="store_dir full"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

// An AccessDenied is retried like any failure, and counted on its own with
// its message kept for the health report.
func TestAccessDeniedCounted(t *testing.T) {
	denied := plugin.AccessDenied(errors.New("output sink.0: AWS denied logs:PutLogEvents on arn:aws:logs:x (AccessDeniedException)"))
	out := &sink{failWith: func(attempt int, c *record.Chunk) error {
		if attempt <= 2 {
			return denied
		}
		return nil
	}}
	p, cancel, done := feedOne(t, out, 2)
	o := p.Metrics().Outputs()[0]
	waitFor(t, "delivery", func() bool { return o.ProcRecords.Load() == 2 })
	cancel()
	<-done
	if n := o.AccessDenied.Load(); n != 2 {
		t.Errorf("access denied %d, want 2", n)
	}
	if got := o.LastDenied(); got != denied.Error() {
		t.Errorf("last denied %q", got)
	}
	if n := o.DroppedRecords.Load(); n != 0 {
		t.Errorf("%d dropped; an AccessDenied is retried", n)
	}
}

// The same cause is logged once a window, with the count of drops in
// between; every drop is counted whatever is logged.
func TestDropRecorderRateLimitsLog(t *testing.T) {
	var logs bytes.Buffer
	now := time.Unix(1_700_000_000, 0)
	d := newDropRecorder(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError})))
	d.log.now = func() time.Time { return now }
	counted := map[string]int{}
	d.count = func(reason string, n int) { counted[reason] += n }
	for i := range 5 {
		d.Drop("app", plugin.ReasonOversize, 1, fmt.Errorf("record %d of 1200000 bytes over the 1048576 limit", i))
	}
	d.Drop("app", plugin.ReasonMissingKey, 3, errors.New("no log_key"))
	d.Drop("app", plugin.ReasonOversize, 0, errors.New("nothing: not counted"))
	now = now.Add(retryLogWindow)
	d.Drop("app", plugin.ReasonOversize, 1, errors.New("record 9 of 1200000 bytes over the 1048576 limit"))
	if fmt.Sprint(counted) != "map[missing_key:3 oversize:6]" {
		t.Errorf("counted %v", counted)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want 3 (first oversize, missing_key, oversize after the window):\n%s", len(lines), logs.String())
	}
	if !strings.Contains(lines[2], "same_drop_since_last_report=4") || !strings.Contains(lines[1], "reason=missing_key") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestValidIndexes(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		n    int
		want string
	}{
		{nil, 3, "[]"},
		{[]int{2, 0, 2, 1}, 3, "[0 1 2]"},
		{[]int{-1, 3, 5, 1}, 3, "[1]"},
	} {
		if got := fmt.Sprint(validIndexes(tc.in, tc.n)); got != tc.want {
			t.Errorf("validIndexes(%v, %d) = %s, want %s", tc.in, tc.n, got, tc.want)
		}
	}
}

// startWith runs the pipeline of m with reg's plugins, logging to logs.
func startWith(t *testing.T, m *config.Model, reg *plugin.Registry, logs io.Writer) (*Pipeline, context.CancelFunc, <-chan error) {
	t.Helper()
	p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(logs, "text")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return p, cancel, done
}
