package fluentbitmetrics

import (
	"context"
	"fmt"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var _ plugin.Input = (*Input)(nil)

// Input emits the pipeline's counters as records every interval.
type Input struct {
	tag      string
	registry *metrics.Registry
	interval time.Duration
	onStart  bool
	b        record.Builder // reused by every scrape (Run is one goroutine)
}

// New returns a fluentbit_metrics input configured by s.Config (see Spec),
// reading the counters of s.Metrics (an empty registry when nil, as outside
// a pipeline).
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{tag: s.Tag, registry: s.Metrics,
		interval: c.Duration("scrape_interval"), onStart: c.Bool("scrape_on_start")}
	if in.interval <= 0 {
		return nil, c.Errorf("scrape_interval", "must be above 0, e.g. 2 (seconds) or 500ms")
	}
	if in.registry == nil { // built outside a pipeline (spec checks): nothing to report
		in.registry = metrics.NewRegistry()
	}
	return in, nil
}

// Run scrapes every interval (and at once with scrape_on_start) until ctx
// ends, emitting one batch per scrape.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	if in.onStart {
		if err := in.scrape(ctx, emit, time.Now()); err != nil {
			return nilAtShutdown(ctx, err)
		}
	}
	err := plugin.Tick(ctx, in.interval, func(now time.Time) error { return in.scrape(ctx, emit, now) })
	return nilAtShutdown(ctx, err)
}

func nilAtShutdown(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("fluentbit_metrics input: emit records: %w", err)
}

// scrape emits a record per sample of the registry's families.
func (in *Input) scrape(ctx context.Context, emit plugin.Emitter, now time.Time) error {
	in.b.Reset()
	AppendRecords(&in.b, record.FromTime(now), in.registry.Families())
	if in.b.Records() == 0 {
		return nil
	}
	return emit.Emit(ctx, in.tag, in.b.Bytes(), in.b.Records())
}

// AppendRecords appends one record per sample of families to b, at time t,
// in the metric record shape (metrics.AppendRecord).
func AppendRecords(b *record.Builder, t record.Time, families []metrics.Family) {
	metrics.AppendRecords(b, t, families)
}
