package engine

import (
	"context"
	"sync"
)

// memGate enforces an input's Mem_Buf_Limit. Like Fluent Bit, it admits a
// batch while the input's buffered bytes are below the limit (so the total
// may pass the limit by at most one batch) and then pauses the input —
// blocks its Emit — until delivered chunks bring it back under. A zero
// limit admits everything.
type memGate struct {
	limit   int64
	onPause func() // called each time the input starts waiting

	mu      sync.Mutex
	used    int64
	waiting bool
	wake    chan struct{} // closed when used drops while someone waits
}

func newMemGate(limit int64, onPause func()) *memGate {
	return &memGate{limit: limit, onPause: onPause, wake: make(chan struct{})}
}

// wait blocks while the input is at or over its limit, until delivered
// chunks bring it under or ctx ends. It reports whether the input had to
// pause. Several goroutines of one input may pass together and overshoot
// the limit by a batch each, as Fluent Bit's check-then-append does.
func (g *memGate) wait(ctx context.Context) error {
	paused := false
	for {
		g.mu.Lock()
		if g.limit <= 0 || g.used < g.limit {
			g.mu.Unlock()
			return nil
		}
		g.waiting = true
		wake := g.wake
		g.mu.Unlock()
		if !paused && g.onPause != nil {
			g.onPause()
		}
		paused = true
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// add accounts n more buffered bytes.
func (g *memGate) add(n int64) {
	g.mu.Lock()
	g.used += n
	g.mu.Unlock()
}

// release returns n bytes and wakes a paused input.
func (g *memGate) release(n int64) {
	g.mu.Lock()
	g.used -= n
	if g.waiting {
		close(g.wake)
		g.wake = make(chan struct{})
		g.waiting = false
	}
	g.mu.Unlock()
}

// inUse returns the bytes currently buffered.
func (g *memGate) inUse() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.used
}
