package throttle

import (
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestThrottleSlidingWindow(t *testing.T) {
	f, err := New(settings(t, "Name", "throttle", "Rate", "2", "Window", "3", "Interval", "1s"))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(1000, 0)
	f.now = func() time.Time { return clock }
	pass := func(n int) int {
		bodies := make([]string, n)
		for i := range bodies {
			bodies[i] = `{"n":1}`
		}
		events := batch(t, 1, bodies...)
		var out record.Builder
		res, err := f.Filter("t", events, &out)
		if err != nil {
			t.Fatal(err)
		}
		if res == plugin.FilterUnchanged {
			return n
		}
		return out.Records()
	}
	// A quiet window lets a burst of Rate×Window through.
	if got := pass(10); got != 6 {
		t.Fatalf("first burst passed %d, want 6", got)
	}
	if got := pass(1); got != 0 {
		t.Fatalf("window full, passed %d", got)
	}
	// One interval later the oldest slot (holding all 6) is still in the
	// window of 3; after three intervals it has slid out.
	clock = clock.Add(time.Second)
	if got := pass(1); got != 0 {
		t.Fatalf("after 1s passed %d, want 0", got)
	}
	clock = clock.Add(2 * time.Second)
	if got := pass(3); got != 3 {
		t.Fatalf("after the window slid, passed %d, want 3", got)
	}
	// A long silence empties the window.
	clock = clock.Add(time.Hour)
	if got := pass(7); got != 6 {
		t.Fatalf("after an hour, passed %d, want 6", got)
	}
}

func TestThrottleSteadyRate(t *testing.T) {
	f, err := New(settings(t, "Name", "throttle", "Rate", "5", "Window", "2", "Interval", "100ms", "Print_Status", "on"))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(2000, 0)
	f.now = func() time.Time { return clock }
	total := 0
	for i := 0; i < 100; i++ { // 10 s at 3 records every 100 ms: under the rate, all pass
		var out record.Builder
		events := batch(t, 1, `{"a":1}`, `{"a":2}`, `{"a":3}`)
		res, _ := f.Filter("t", events, &out)
		if res == plugin.FilterUnchanged {
			total += 3
		} else {
			total += out.Records()
		}
		clock = clock.Add(100 * time.Millisecond)
	}
	if total != 300 {
		t.Errorf("steady rate under the limit: %d of 300 passed", total)
	}
}
