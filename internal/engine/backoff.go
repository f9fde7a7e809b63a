package engine

import (
	"math/rand/v2"
	"time"
)

// backoff computes retry waits: capped exponential growth from base with
// full jitter (the wait is drawn uniformly from [base, min(cap, base·2^n)]),
// so outputs that failed together do not retry together. Fluent Bit's
// scheduler uses the same base/cap knobs (scheduler.base, scheduler.cap).
type backoff struct {
	base, cap time.Duration
}

// wait returns the delay before retry number attempt (1 for the first).
func (b backoff) wait(attempt int) time.Duration {
	ceiling := b.base
	for i := 1; i < attempt && ceiling < b.cap; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, b.cap)
	if ceiling <= b.base {
		return b.base
	}
	return b.base + rand.N(ceiling-b.base+1)
}
