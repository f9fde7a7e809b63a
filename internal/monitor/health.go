package monitor

import (
	"sync"
	"time"
)

// healthWindow keeps samples of the cumulative error counters over the last
// period, so the errors within the period are the newest sample minus the
// oldest one still inside it.
type healthWindow struct {
	period time.Duration

	mu      sync.Mutex
	samples []healthSample
}

type healthSample struct {
	at                   time.Time
	errors, retryFailure uint64
}

func newHealthWindow(period time.Duration) *healthWindow {
	if period <= 0 {
		period = 60 * time.Second
	}
	return &healthWindow{period: period}
}

// add records the totals at time now and forgets samples older than the period.
func (h *healthWindow) add(now time.Time, errors, retryFailures uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.samples = append(h.samples, healthSample{now, errors, retryFailures})
	cut := 0
	for cut < len(h.samples)-1 && now.Sub(h.samples[cut+1].at) >= h.period {
		cut++
	}
	h.samples = h.samples[cut:]
}

// within returns the errors and retry failures counted in the window.
func (h *healthWindow) within() (errors, retryFailures uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.samples) < 2 {
		return 0, 0
	}
	first, last := h.samples[0], h.samples[len(h.samples)-1]
	return last.errors - first.errors, last.retryFailure - first.retryFailure
}

// healthy applies Fluent Bit's rule: unhealthy when the errors or the retry
// failures within HC_Period exceed their thresholds.
func (h *healthWindow) healthy(maxErrors, maxRetryFailures uint64) bool {
	errors, failures := h.within()
	return errors <= maxErrors && failures <= maxRetryFailures
}
