package throttle

import (
	"log/slog"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// Filter is one throttle instance. Its window is guarded by a mutex, so
// it is safe for concurrent use.
type Filter struct {
	rate        int64
	interval    time.Duration
	printStatus bool
	logger      *slog.Logger
	now         func() time.Time

	mu      sync.Mutex
	slots   []int64 // ring of per-interval counts
	head    int     // slot of the current interval
	total   int64
	current int64 // index of the current interval since the epoch
	dropped int64 // dropped in the current interval, for Print_Status
}

// New builds the filter.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{rate: c.Int("Rate"), interval: c.Duration("Interval"), printStatus: c.Bool("Print_Status"),
		logger: s.Logger, now: time.Now, slots: make([]int64, c.Int("Window"))}
	if f.interval <= 0 {
		return nil, c.Errorf("Interval", "must be above 0, e.g. 1s")
	}
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	return f, nil
}

// slide moves the window to the interval containing now.
func (f *Filter) slide(now time.Time) {
	idx := now.UnixNano() / int64(f.interval)
	if f.current == 0 {
		f.current = idx
	}
	steps := idx - f.current
	if steps <= 0 {
		return
	}
	if f.printStatus {
		f.logger.Info("throttle status", "window_total", f.total, "window_slots", len(f.slots),
			"average_rate", float64(f.total)/float64(len(f.slots)), "rate", f.rate, "dropped_last_interval", f.dropped)
	}
	f.dropped = 0
	if steps >= int64(len(f.slots)) {
		clear(f.slots)
		f.total = 0
	} else {
		for range steps {
			f.head = (f.head + 1) % len(f.slots)
			f.total -= f.slots[f.head]
			f.slots[f.head] = 0
		}
	}
	f.current = idx
}

// Filter implements plugin.Filter.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slide(f.now())
	window := int64(len(f.slots))
	dropped := false
	it := record.NewIterator(events)
	for it.Next() {
		if f.total/window >= f.rate {
			dropped = true
			f.dropped++
			continue
		}
		f.slots[f.head]++
		f.total++
		out.AppendRaw(it.Event().Raw)
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, err
	}
	if !dropped {
		return plugin.FilterUnchanged, nil
	}
	return plugin.FilterModified, nil
}
