package cloudwatchlogs

import (
	"cmp"
	"slices"
)

// splitBatches is the PutLogEvents batcher: it sorts the events of one log
// stream by timestamp (stable, so records of the same millisecond keep
// their order) and cuts them into the fewest consecutive batches that each
// obey every limit of a call: at most maxBatchEvents events, at most
// maxBatchBytes bytes counting eventOverhead per event, and a span below
// 24 hours. Each event is already at most maxMessageBytes long. The
// batches are sub-slices of events, which is sorted in place; dst is
// reused.
func splitBatches(dst [][]logEvent, events []logEvent) [][]logEvent {
	dst = dst[:0]
	byTime := func(a, b logEvent) int { return cmp.Compare(a.timestamp, b.timestamp) }
	// Records mostly arrive in time order: check before sorting.
	if !slices.IsSortedFunc(events, byTime) {
		slices.SortStableFunc(events, byTime)
	}
	start, size := 0, 0
	for i := range events {
		n := events[i].bytes()
		if i > start && (i-start == maxBatchEvents ||
			size+n > maxBatchBytes ||
			events[i].timestamp-events[start].timestamp >= maxSpanMillis) {
			dst = append(dst, events[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(events) {
		dst = append(dst, events[start:])
	}
	return dst
}
