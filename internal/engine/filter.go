package engine

import (
	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// filterRunner owns one filter instance and counts what it changes.
type filterRunner struct {
	instance
	filter  plugin.Filter
	match   Matcher
	metrics *metrics.Filter
}

// apply runs the filter on one batch. It returns the records that continue
// and whether they now live in out. A failing filter passes the batch on
// unchanged: a filter bug must not lose data.
func (f *filterRunner) apply(tag string, events []byte, records int, out *record.Builder) ([]byte, int, bool) {
	f.metrics.Records.Add(uint64(records))
	res, err := f.filter.Filter(tag, events, out)
	if err != nil {
		f.metrics.Errors.Add(1)
		f.logger.Warn("filter failed; records pass unchanged", "tag", tag, "records", records, "error", err)
		return events, records, false
	}
	if res == plugin.FilterUnchanged {
		return events, records, false
	}
	n := out.Records()
	if n < records {
		f.metrics.DropRecords.Add(uint64(records - n))
	} else if n > records {
		f.metrics.AddRecords.Add(uint64(n - records))
	}
	return out.Bytes(), n, true
}
