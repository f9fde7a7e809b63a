package cloudwatchlogs

import (
	"cmp"
	"slices"
	"testing"
)

func uniform(n, size int, ts func(i int) int64) []logEvent {
	evs := make([]logEvent, n)
	for i := range evs {
		evs[i] = logEvent{timestamp: ts(i), index: int32(i), size: int32(size)}
	}
	return evs
}

func TestSplitBatches(t *testing.T) {
	const day = int64(maxSpanMillis)
	flat := func(int) int64 { return 1_700_000_000_000 }
	tests := []struct {
		name   string
		events []logEvent
		want   []int // events per batch
	}{
		{"empty", nil, nil},
		{"one", uniform(1, 10, flat), []int{1}},
		{"10,000 events fit one call", uniform(10000, 10, flat), []int{10000}},
		{"10,001 events need two", uniform(10001, 10, flat), []int{10000, 1}},
		{"25,000 events", uniform(25000, 1, flat), []int{10000, 10000, 5000}},
		// 8 events of 131,046 bytes + 26 are exactly 1 MiB.
		{"exactly 1 MiB", uniform(8, 1048576/8-26, flat), []int{8}},
		{"one byte over 1 MiB", append(uniform(7, 1048576/8-26, flat), logEvent{timestamp: flat(0), size: 1048576/8 - 25}), []int{7, 1}},
		{"largest events: four per call", uniform(9, maxMessageBytes, flat), []int{4, 4, 1}},
		{"span just under 24 h", uniform(2, 1, func(i int) int64 { return flat(0) + int64(i)*(day-1) }), []int{2}},
		{"span of exactly 24 h splits", uniform(2, 1, func(i int) int64 { return flat(0) + int64(i)*day }), []int{1, 1}},
		{"three days", uniform(6, 1, func(i int) int64 { return flat(0) + int64(i)*day/2 }), []int{2, 2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitBatches(nil, tt.events)
			if len(got) != len(tt.want) {
				t.Fatalf("%d batches, want %d", len(got), len(tt.want))
			}
			for i, b := range got {
				if len(b) != tt.want[i] {
					t.Errorf("batch %d has %d events, want %d", i, len(b), tt.want[i])
				}
				checkBatch(t, b)
			}
		})
	}
}

// checkBatch asserts every PutLogEvents rule on a batch.
func checkBatch(t *testing.T, b []logEvent) {
	t.Helper()
	size := 0
	for i, ev := range b {
		size += ev.bytes()
		if i > 0 && ev.timestamp < b[i-1].timestamp {
			t.Fatalf("batch out of order at %d", i)
		}
		if ev.bytes() > maxEventBytes {
			t.Fatalf("event of %d bytes", ev.bytes())
		}
	}
	if len(b) > maxBatchEvents || size > maxBatchBytes || b[len(b)-1].timestamp-b[0].timestamp >= maxSpanMillis {
		t.Fatalf("batch of %d events, %d bytes, span %d ms breaks a limit", len(b), size, b[len(b)-1].timestamp-b[0].timestamp)
	}
}

func TestSplitBatchesSortsStably(t *testing.T) {
	// Timestamps 3,1,2,1: sorted 1(idx1),1(idx3),2(idx2),3(idx0).
	evs := []logEvent{{timestamp: 3, index: 0}, {timestamp: 1, index: 1}, {timestamp: 2, index: 2}, {timestamp: 1, index: 3}}
	got := splitBatches(nil, evs)
	want := []int32{1, 3, 2, 0}
	for i, ev := range got[0] {
		if ev.index != want[i] {
			t.Fatalf("order %v, want indexes %v", got[0], want)
		}
	}
}

// FuzzSplitBatches checks the batcher on events of fuzzed times and sizes,
// each byte of data standing for 1 + 64*rep events: every batch obeys
// every PutLogEvents limit; the batches, one after the other, hold every
// event once, sorted by time and stable (same-millisecond events keep
// their order); and they are the fewest: each batch but the last ends
// only because its next event would break a limit.
func FuzzSplitBatches(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6}, uint16(100), uint8(0))
	f.Add([]byte{9, 3, 3, 200, 1}, uint16(7), uint8(40))       // over 10,000 events
	f.Add([]byte{24, 0, 48, 24, 72}, uint16(0xffff), uint8(1)) // large events, whole days apart
	f.Fuzz(func(t *testing.T, data []byte, size uint16, rep uint8) {
		var evs []logEvent
		for _, c := range data {
			for range 1 + 64*int(rep) {
				evs = append(evs, logEvent{timestamp: int64(c) * 3_600_000, index: int32(len(evs)), size: int32(size)%maxMessageBytes + int32(c)})
			}
		}
		want := slices.Clone(evs)
		slices.SortStableFunc(want, func(a, b logEvent) int { return cmp.Compare(a.timestamp, b.timestamp) })
		batches := splitBatches(nil, evs)
		var got []logEvent
		for i, b := range batches {
			if len(b) == 0 {
				t.Fatalf("batch %d is empty", i)
			}
			checkBatch(t, b)
			got = append(got, b...)
			if i == len(batches)-1 {
				break
			}
			next, size := batches[i+1][0], 0
			for _, ev := range b {
				size += ev.bytes()
			}
			if len(b) < maxBatchEvents && size+next.bytes() <= maxBatchBytes && next.timestamp-b[0].timestamp < maxSpanMillis {
				t.Fatalf("batch %d (%d events, %d bytes) ends though the next event fits", i, len(b), size)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d events in batches, %d given", len(got), len(want))
		}
		for i := range want {
			if got[i].index != want[i].index {
				t.Fatalf("event %d of the batches is record %d, want record %d (stable time order)", i, got[i].index, want[i].index)
			}
		}
	})
}

func BenchmarkSplitBatches(b *testing.B) {
	base := uniform(20000, 1000, func(i int) int64 { return 1_700_000_000_000 + int64(i%977) })
	evs := make([]logEvent, len(base))
	var dst [][]logEvent
	b.ReportAllocs()
	b.SetBytes(int64(len(base)) * 1000)
	for b.Loop() {
		copy(evs, base)
		dst = splitBatches(dst, evs)
	}
}
