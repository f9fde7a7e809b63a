package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// A per-record result (an Elasticsearch bulk response) both defers and
// refuses records: the refused ones are dropped as permanent errors and
// counted, only the deferred ones are retried.
func TestPartialRejectedDropsRefusedRetriesDeferred(t *testing.T) {
	for _, tc := range []struct {
		name      string
		failed    []int
		delivered string
		proc      uint64
	}{
		// The test sink counts record 1 as delivered by the first attempt
		// (it skips only the failed indexes); what matters is that the
		// engine dropped it and did not send it again.
		{"some deferred", []int{3}, "[0 1 2 4 3]", 4},
		{"none deferred", nil, "[0 1 2 3 4]", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &sink{failWith: func(attempt int, c *record.Chunk) error {
				if attempt == 1 {
					return plugin.PartialRejected(errors.New("bulk: 1 throttled, 1 mapping error"), tc.failed, []int{1})
				}
				return nil
			}}
			h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{"o": out}}
			m := &config.Model{Service: fastService()}
			m.Add(section(config.KindInput, "Name", "feed", "id", "a"))
			m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
			p, cancel, done := h.start(t, m)
			h.inputs["a"].batches <- seq(0, 5)
			o := p.Metrics().Outputs()[0]
			waitFor(t, "delivery", func() bool { return o.ProcRecords.Load() == tc.proc && o.DroppedRecords.Load() == 1 })
			cancel()
			<-done
			if got := fmt.Sprint(out.numbers()); got != tc.delivered {
				t.Errorf("delivered %s, want %s", got, tc.delivered)
			}
			if d := o.DroppedByReason()["rejected"]; d != 1 {
				t.Errorf("dropped %v", o.DroppedByReason())
			}
		})
	}
}
