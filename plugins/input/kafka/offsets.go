package kafka

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// partition names one partition of one topic.
type partition struct {
	topic string
	id    int32
}

// offsetTracker decides which offsets may be committed. A batch's offsets
// become committable once the pipeline is done with its records (see
// plugin.AckEmitter) and every batch emitted before it is too, so a commit
// never passes a record still buffered in memory. It is shared by the poll
// loop, the engine goroutines that acknowledge batches, and the rebalance
// callbacks.
type offsetTracker struct {
	mu sync.Mutex
	// inflight are the emitted batches not yet committable, oldest first.
	inflight []*batchOffsets
	// ready is, per partition, the next offset to commit.
	ready map[string]map[int32]kgo.EpochOffset
	// gen counts the revocations of each partition: a batch acknowledged
	// after its partition was revoked must not commit it, or it could
	// rewind the commits of the partition's new owner.
	gen map[partition]uint64
	// stopping is set once the input stops (shutdown): from then on, a
	// batch the engine did not deliver was dropped because the grace
	// period ran out, and must be consumed again after the restart.
	stopping bool
}

// batchOffsets is one emitted batch: for each partition, one past its last
// record, and the partition's generation when it was polled.
type batchOffsets struct {
	next     map[partition]kgo.EpochOffset
	gen      map[partition]uint64
	done     bool
	replayed bool // dropped at shutdown: never committable
}

// track registers an emitted batch of records, in emission order.
func (t *offsetTracker) track(recs []*kgo.Record) *batchOffsets {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := &batchOffsets{next: map[partition]kgo.EpochOffset{}, gen: map[partition]uint64{}}
	for _, r := range recs {
		p := partition{r.Topic, r.Partition}
		next := kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset + 1}
		if cur, ok := b.next[p]; !ok || cur.Less(next) {
			b.next[p] = next
		}
		b.gen[p] = t.gen[p]
	}
	t.inflight = append(t.inflight, b)
	return b
}

// untrack removes a batch that Emit refused (it was never accepted).
func (t *offsetTracker) untrack(b *batchOffsets) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, x := range t.inflight {
		if x == b {
			t.inflight = append(t.inflight[:i], t.inflight[i+1:]...)
			return
		}
	}
}

// stop marks the input as shutting down (see stopping).
func (t *offsetTracker) stop() {
	t.mu.Lock()
	t.stopping = true
	t.mu.Unlock()
}

// done records the pipeline's verdict on a batch and moves the offsets of
// the finished batches at the head of the line to ready. A batch an output
// gave up on while running (a permanent error, Retry_Limit: counted and
// logged as drops by the engine) is committed past like a delivered one,
// since consuming it again would only fail again; one dropped at shutdown
// holds the commit back, so it is consumed again after the restart.
func (t *offsetTracker) done(b *batchOffsets, delivered bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b.done, b.replayed = true, !delivered && t.stopping
	for len(t.inflight) > 0 && t.inflight[0].done && !t.inflight[0].replayed {
		head := t.inflight[0]
		t.inflight[0] = nil
		t.inflight = t.inflight[1:]
		for p, next := range head.next {
			if head.gen[p] != t.gen[p] {
				continue // revoked since it was polled
			}
			if t.ready == nil {
				t.ready = map[string]map[int32]kgo.EpochOffset{}
			}
			parts := t.ready[p.topic]
			if parts == nil {
				parts = map[int32]kgo.EpochOffset{}
				t.ready[p.topic] = parts
			}
			if cur, ok := parts[p.id]; !ok || cur.Less(next) {
				parts[p.id] = next
			}
		}
	}
}

// take removes and returns the committable offsets.
func (t *offsetTracker) take() map[string]map[int32]kgo.EpochOffset {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.ready
	t.ready = nil
	return m
}

// restore puts back offsets whose commit failed, unless newer ones came
// or the partition was revoked meanwhile.
func (t *offsetTracker) restore(m map[string]map[int32]kgo.EpochOffset) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ready == nil {
		t.ready = map[string]map[int32]kgo.EpochOffset{}
	}
	for topic, parts := range m {
		cur := t.ready[topic]
		if cur == nil {
			cur = map[int32]kgo.EpochOffset{}
			t.ready[topic] = cur
		}
		for id, off := range parts {
			if have, ok := cur[id]; !ok || have.Less(off) {
				cur[id] = off
			}
		}
	}
}

// forget drops what is ready for the partitions and makes the batches
// still in flight for them unable to commit them.
func (t *offsetTracker) forget(tps map[string][]int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.gen == nil {
		t.gen = map[partition]uint64{}
	}
	for topic, ids := range tps {
		for _, id := range ids {
			delete(t.ready[topic], id)
			t.gen[partition{topic, id}]++
		}
		if len(t.ready[topic]) == 0 {
			delete(t.ready, topic)
		}
	}
}
