package engine

import (
	"log/slog"
	"sort"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// dropRecorder is the one way records an instance gives up on are reported:
// counted by reason in the instance's metrics and logged at error level,
// the first drop of each cause and then that cause at most once a minute
// with the count of drops in between (the retryLog rule), so a stream of
// oversize records cannot flood the log while every record is counted.
// The engine's own drops (Retry_Limit, permanent errors, shutdown) and the
// plugins' (plugin.PartialDropped, plugin.Settings.Drops) all go through
// it. It implements plugin.DropRecorder.
type dropRecorder struct {
	logger *slog.Logger
	// count adds records to the instance's dropped-by-reason counters; it
	// is set once the instance's metrics exist, before the pipeline runs.
	count func(reason string, records int)
	log   retryLog
}

func newDropRecorder(logger *slog.Logger) *dropRecorder {
	return &dropRecorder{logger: logger}
}

// Drop counts and logs records a plugin gave up on (plugin.DropRecorder).
func (d *dropRecorder) Drop(tag, reason string, records int, err error) {
	if records <= 0 {
		return
	}
	d.record("dropping records", tag, reason, records, err)
}

// record counts records for reason and logs msg with tag, records, reason,
// err and extra (alternating keys and values), rate-limited by cause.
func (d *dropRecorder) record(msg, tag, reason string, records int, err error, extra ...any) {
	if d.count != nil {
		d.count(reason, records)
	}
	args := append([]any{"tag", tag, "records", records, "reason", reason}, extra...)
	if err != nil {
		args = append(args, "error", err)
	}
	if log, repeats := d.log.admit(dropCause{reason, err}); log {
		if repeats > 0 {
			args = append(args, "same_drop_since_last_report", repeats)
		}
		d.logger.Error(msg, args...)
		return
	}
	d.logger.Debug(msg+" (same cause as reported)", args...)
}

// dropCause is what the log's rate limit tells drops apart by: the reason
// and the error text.
type dropCause struct {
	reason string
	err    error
}

func (c dropCause) Error() string {
	if c.err == nil {
		return c.reason
	}
	return c.reason + ": " + c.err.Error()
}

// validIndexes returns the distinct indexes in [0, records), sorted: the
// records a plugin's Drop names, counted once each whatever it passed.
func validIndexes(indexes []int, records int) []int {
	out := make([]int, 0, len(indexes))
	for _, i := range indexes {
		if i >= 0 && i < records {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	n := 0
	for i, v := range out {
		if i == 0 || v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}

var _ plugin.DropRecorder = (*dropRecorder)(nil)
