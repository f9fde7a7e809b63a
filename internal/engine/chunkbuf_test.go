package engine

import (
	"bytes"
	"testing"
	"time"
)

func TestChunkBuffers(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, c *chunkBuffers)
	}{
		{"a new chunk starts small", func(t *testing.T, c *chunkBuffers) {
			if b := c.get(100, false); cap(b) != smallChunkBuffer {
				t.Fatalf("cap %d, want %d", cap(b), smallChunkBuffer)
			}
		}},
		{"a tag whose chunks outgrew small starts large", func(t *testing.T, c *chunkBuffers) {
			if b := c.get(100, true); cap(b) != largeChunkBuffer {
				t.Fatalf("cap %d, want %d", cap(b), largeChunkBuffer)
			}
		}},
		{"grow moves once to sealed size and frees the small buffer", func(t *testing.T, c *chunkBuffers) {
			b := append(c.get(10, false), bytes.Repeat([]byte("x"), smallChunkBuffer-10)...)
			b = c.grow(b, 100)
			if cap(b) != largeChunkBuffer || len(b) != smallChunkBuffer-10 || b[len(b)-1] != 'x' {
				t.Fatalf("after grow: len %d cap %d", len(b), cap(b))
			}
			if small, _ := c.free(); small != 1 {
				t.Fatalf("%d free small buffers, want the outgrown one", small)
			}
			if again := c.grow(b, 100); &again[0] != &b[0] {
				t.Fatal("grow with room moved the buffer")
			}
		}},
		{"a batch larger than a sealed chunk gets its own buffer, not kept", func(t *testing.T, c *chunkBuffers) {
			b := c.get(largeChunkBuffer+1, false)
			if cap(b) < largeChunkBuffer+1 {
				t.Fatalf("cap %d", cap(b))
			}
			c.put(b)
			if small, large := c.free(); small+large != 0 {
				t.Fatalf("kept an odd-sized buffer: %d small, %d large", small, large)
			}
		}},
		{"the free lists are bounded", func(t *testing.T, c *chunkBuffers) {
			for range 2 * maxFreeLarge {
				c.put(make([]byte, 0, largeChunkBuffer))
			}
			for range 2 * maxFreeSmall {
				c.put(make([]byte, 0, smallChunkBuffer))
			}
			if small, large := c.free(); small != maxFreeSmall || large != maxFreeLarge {
				t.Fatalf("%d small, %d large free", small, large)
			}
		}},
		{"reuse hands back the same memory", func(t *testing.T, c *chunkBuffers) {
			b := c.get(0, true)
			b = append(b, 'a')
			p := &b[0]
			c.put(b)
			if again := c.get(0, true); len(again) != 0 || &again[:1][0] != p {
				t.Fatal("a freed buffer was not reused")
			}
		}},
		{"trim drops what stayed unused for a whole interval", func(t *testing.T, c *chunkBuffers) {
			for range 3 {
				c.put(make([]byte, 0, largeChunkBuffer))
			}
			now := time.Now()
			c.trim(now) // the buffers were put during this interval: kept
			if _, large := c.free(); large != 3 {
				t.Fatalf("first trim left %d", large)
			}
			c.put(c.get(0, true)) // one is in use during the next interval
			c.trim(now.Add(trimEvery / 2))
			if _, large := c.free(); large != 3 {
				t.Fatalf("a trim sooner than trimEvery dropped buffers (%d left)", large)
			}
			c.trim(now.Add(trimEvery))
			if _, large := c.free(); large != 1 {
				t.Fatalf("second trim left %d, want the one in use", large)
			}
			c.trim(now.Add(2 * trimEvery))
			if _, large := c.free(); large != 0 {
				t.Fatalf("idle trim left %d", large)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, &chunkBuffers{}) })
	}
}
