package plugintest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

// Collector is an Emitter for input tests: it keeps the records it is
// given, by tag, as JSON.
type Collector struct {
	mu   sync.Mutex
	tags []string
	json []string
}

// Emit keeps a copy of events under tag.
func (c *Collector) Emit(_ context.Context, tag string, events []byte, _ int) error {
	it := record.NewIterator(events)
	c.mu.Lock()
	defer c.mu.Unlock()
	for it.Next() {
		js, _, err := record.AppendJSON(nil, it.Event().Body)
		if err != nil {
			return err
		}
		c.tags = append(c.tags, tag)
		c.json = append(c.json, string(js))
	}
	return it.Err()
}

// Records returns the bodies received so far, as JSON, in order.
func (c *Collector) Records() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.json...)
}

// Tags returns the tag of each record of Records.
func (c *Collector) Tags() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.tags...)
}

// Len is the number of records received.
func (c *Collector) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.json)
}

// WaitFor polls until at least n records arrived, failing the test after
// 10 seconds.
func (c *Collector) WaitFor(t testing.TB, n int) []string {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if c.Len() >= n {
			return c.Records()
		}
		sleep()
	}
	t.Fatalf("received %d records, want %d: %q", c.Len(), n, c.Records())
	return nil
}

func sleep() { time.Sleep(10 * time.Millisecond) }
