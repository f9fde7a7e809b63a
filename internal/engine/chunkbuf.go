package engine

import (
	"sync"
	"time"
)

// Chunk buffer sizes. An open chunk starts in a small buffer, so a tag that
// sees a few records per Flush holds little memory; a chunk that outgrows
// it moves once into a buffer of sealed size and never through the sizes in
// between (appending from 64 KiB to 2 MiB by doubling copies 4 MiB and
// leaves five garbage buffers per chunk).
const (
	smallChunkBuffer = 64 << 10
	// largeChunkBuffer holds a chunk up to chunkTarget plus the batch that
	// crosses it (tail emits blocks of about 256 KiB of lines).
	largeChunkBuffer = chunkTarget + chunkTarget/4
	// At most this many free buffers of each size are kept: enough for the
	// chunks of a busy pipeline in circulation between seal and release,
	// bounded so a burst does not pin memory (and trimmed when idle).
	maxFreeSmall = 16
	maxFreeLarge = 8
	// trimEvery is the shortest interval over which a free buffer must
	// stay unused to be given back: shorter Flush intervals (the
	// benchmarks' 10 ms) would drop buffers whenever the input goroutine
	// was descheduled for a moment.
	trimEvery = time.Second
)

// chunkBuffers is a pipeline's bounded free list of chunk buffers. Unlike a
// sync.Pool, whose contents every GC cycle drops (so a pipeline that seals
// 2 MiB chunks re-grows them from scratch), it keeps sealed-size buffers
// between chunks; unlike an unbounded list, it never holds more than
// maxFreeSmall small and maxFreeLarge large buffers, and trim gives back
// those that stayed unused since the previous trim (at least trimEvery).
type chunkBuffers struct {
	mu           sync.Mutex
	small, large [][]byte
	// low-water marks of the lists since the last trim: buffers that were
	// free all that time are not needed.
	lowSmall, lowLarge int
	trimmed            time.Time
}

// get returns an empty buffer of at least n bytes of capacity; large asks
// for a sealed-size one (the previous chunk of the tag outgrew a small
// buffer).
func (c *chunkBuffers) get(n int, large bool) []byte {
	large = large || n > smallChunkBuffer
	if n > largeChunkBuffer {
		return make([]byte, 0, n)
	}
	c.mu.Lock()
	var b []byte
	if large {
		if k := len(c.large); k > 0 {
			b, c.large = c.large[k-1], c.large[:k-1]
			c.lowLarge = min(c.lowLarge, k-1)
		}
	} else if k := len(c.small); k > 0 {
		b, c.small = c.small[k-1], c.small[:k-1]
		c.lowSmall = min(c.lowSmall, k-1)
	}
	c.mu.Unlock()
	switch {
	case b != nil:
		return b[:0]
	case large:
		return make([]byte, 0, largeChunkBuffer)
	default:
		return make([]byte, 0, smallChunkBuffer)
	}
}

// put returns a buffer no longer referenced. Buffers of other capacities
// (a batch larger than largeChunkBuffer, subsets of partial failures) and
// those beyond the bounds are left to the GC.
func (c *chunkBuffers) put(b []byte) {
	if b == nil {
		return
	}
	c.mu.Lock()
	switch cp := cap(b); {
	case cp == largeChunkBuffer && len(c.large) < maxFreeLarge:
		c.large = append(c.large, b[:0])
	case cp == smallChunkBuffer && len(c.small) < maxFreeSmall:
		c.small = append(c.small, b[:0])
	}
	c.mu.Unlock()
}

// grow makes room for n more bytes in b, moving its contents into a larger
// buffer from the list (the old one goes back to it).
func (c *chunkBuffers) grow(b []byte, n int) []byte {
	need := len(b) + n
	if need <= cap(b) {
		return b
	}
	nb := c.get(need, true)
	nb = append(nb, b...)
	c.put(b)
	return nb
}

// trim drops the free buffers that stayed unused since the previous trim,
// at least trimEvery ago (the flush scheduler calls it every Flush), so
// memory taken by a burst goes back to the GC once the burst is over.
func (c *chunkBuffers) trim(now time.Time) {
	c.mu.Lock()
	if now.Sub(c.trimmed) < trimEvery {
		c.mu.Unlock()
		return
	}
	c.trimmed = now
	c.large = dropBottom(c.large, c.lowLarge)
	c.small = dropBottom(c.small, c.lowSmall)
	c.lowLarge, c.lowSmall = len(c.large), len(c.small)
	c.mu.Unlock()
}

// dropBottom removes the first n buffers of a free list: get takes from the
// end, so those are the ones that stayed unused.
func dropBottom(l [][]byte, n int) [][]byte {
	k := copy(l, l[n:])
	clear(l[k:])
	return l[:k]
}

// free reports the number of free small and large buffers (for tests).
func (c *chunkBuffers) free() (small, large int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.small), len(c.large)
}
