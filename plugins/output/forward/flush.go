package forward

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// Flush sends chunk as one message to the next node in round-robin order.
// A node that cannot be reached is skipped for the next one (failover);
// when none can, or when sending or the ack fails, Flush returns a
// retryable error and the engine retries the chunk, which then goes to
// the next node in turn. A chunk that is not valid records is a permanent
// error.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	tag := chunk.Tag
	if o.tagOverride != "" {
		tag = o.tagOverride
	}
	var chunkID []byte
	if o.requireAck {
		chunkID = newChunkID()
	}
	b := bufferPool.Get().(*buffers)
	defer bufferPool.Put(b)
	msg, err := o.enc.encode(b, tag, chunk, chunkID)
	if err != nil {
		return plugin.Permanent(fmt.Errorf("forward output %s: %w", o.id, err))
	}
	start := o.next.Add(1) - 1
	var errs []error
	for i := range o.nodes {
		n := o.nodes[(start+uint64(i))%uint64(len(o.nodes))]
		c, err := o.take(ctx, n)
		if err != nil {
			errs = append(errs, err)
			if len(o.nodes) > 1 {
				o.logger.Warn("node unreachable; trying the next", "node", n.name, "error", err)
			}
			continue
		}
		if err := o.send(ctx, c, msg, chunkID); err != nil {
			c.close()
			return fmt.Errorf("forward output %s: node %s: %w", o.id, n.name, err)
		}
		o.give(c)
		return nil
	}
	return fmt.Errorf("forward output %s: no node reachable: %w", o.id, errors.Join(errs...))
}
