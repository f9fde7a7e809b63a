package kubernetes

import (
	"sync"
	"sync/atomic"
	"time"
)

// maxCacheEntries bounds each metadata cache. A node runs at most 110 pods
// by Kubernetes' default, so this is room for many generations of pods;
// beyond it an arbitrary entry is evicted, as Fluent Bit's hash table does
// when Kube_Meta_Cache_TTL is 0.
const maxCacheEntries = 4096

// lookup is one metadata fetch and its outcome. The goroutine that fetches
// sets value or err, then closes done; readers touch them only after done
// is closed. A lookup is shared by every batch of its key: there is one
// request in flight per pod, however many records arrive meanwhile.
type lookup[T any] struct {
	done  chan struct{}
	value T
	err   error
	// expires is when the outcome stops being used (zero: never); set with
	// value and err.
	expires time.Time
	// gaveUp is set when a batch stopped waiting for the fetch: later
	// batches pass at once instead of each waiting in turn.
	gaveUp atomic.Bool
	// reported is set once the failure of this lookup was logged.
	reported atomic.Bool
}

// ready reports whether the fetch has finished.
func (l *lookup[T]) ready() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// metaCache maps keys (namespace/pod, or a namespace) to lookups, with
// separate lifetimes for successes (ttl, 0: no expiry) and failures
// (negTTL).
type metaCache[T any] struct {
	ttl, negTTL time.Duration
	now         func() time.Time

	mu      sync.Mutex
	entries map[string]*lookup[T]
}

func newMetaCache[T any](ttl, negTTL time.Duration, now func() time.Time) *metaCache[T] {
	return &metaCache[T]{ttl: ttl, negTTL: negTTL, now: now, entries: map[string]*lookup[T]{}}
}

// get returns the lookup of key. When there is none, or the one there has
// expired, it stores a new one and calls start with it, under the cache's
// lock, so exactly one caller starts each fetch; start must not block.
func (c *metaCache[T]) get(key string, start func(*lookup[T])) *lookup[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.entries[key]; ok {
		if !l.ready() || l.expires.IsZero() || c.now().Before(l.expires) {
			return l
		}
	}
	if len(c.entries) >= maxCacheEntries {
		c.evictLocked()
	}
	l := &lookup[T]{done: make(chan struct{})}
	c.entries[key] = l
	start(l)
	return l
}

// finish records the outcome of l and wakes its waiters.
func (c *metaCache[T]) finish(l *lookup[T], v T, err error) {
	now := c.now()
	ttl := c.ttl
	if err != nil {
		ttl = c.negTTL
		if ttl <= 0 {
			ttl = time.Nanosecond // retry at the next batch
		}
	}
	l.value, l.err = v, err
	if ttl > 0 {
		l.expires = now.Add(ttl)
	}
	close(l.done)
}

// evictLocked removes expired entries, or an arbitrary finished one when
// none has expired. In-flight lookups are kept: their fetch still owns
// them.
func (c *metaCache[T]) evictLocked() {
	now := c.now()
	removed := false
	for k, l := range c.entries {
		if l.ready() && !l.expires.IsZero() && !now.Before(l.expires) {
			delete(c.entries, k)
			removed = true
		}
	}
	if removed {
		return
	}
	for k, l := range c.entries {
		if l.ready() {
			delete(c.entries, k)
			return
		}
	}
}
