package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/storage"
)

// flight is a sealed chunk on its way to the outputs it was routed to. It is
// shared, not copied: each output's task holds a reference, and the last one
// to finish (delivered or dropped) returns the bytes to the input's
// Mem_Buf_Limit budget and the buffer to the pool.
type flight struct {
	chunk record.Chunk
	size  int64
	refs  atomic.Int32
	owner *inputRunner
	// stored is the chunk in the input's filesystem store (nil for
	// memory inputs); loaded marks one read back from disk, whose bytes
	// count against storage.backlog.mem_limit instead of Mem_Buf_Limit.
	stored *storage.Chunk
	loaded bool
	// acks are the EmitWithAck callbacks of a memory input's records,
	// called at the last release; failed is set when an output gave up.
	acks   []func(delivered bool)
	failed atomic.Bool
}

func (f *flight) release() {
	if f.refs.Add(-1) != 0 {
		return
	}
	if f.stored != nil {
		f.releaseStored()
	} else {
		f.owner.gate.release(f.size)
		f.owner.metrics.BufferedBytes.Add(-f.size)
		delivered := !f.failed.Load()
		for _, ack := range f.acks {
			ack(delivered)
		}
		f.acks = nil
	}
	f.owner.pipeline.buffers.put(f.chunk.Data)
	f.chunk.Data = nil
}

// task is one output's delivery of one flight. After a partial failure,
// chunk holds only the records still to deliver.
type task struct {
	flight   *flight
	chunk    record.Chunk
	attempts int
	// settled makes delivery and drop mutually exclusive and once-only,
	// even when shutdown abandons a task whose Flush never returns.
	settled atomic.Bool
	// subset is set once chunk holds only the records a partial failure
	// left, in a buffer of its own.
	subset bool
	// parked is set while a filesystem chunk's task waits for its retry
	// with its reference to the flight released (see park).
	parked bool
}

// outputRunner owns one output instance: its queue, its Workers
// goroutines, and the retry policy applied to every flush it makes.
type outputRunner struct {
	instance
	output     plugin.Output
	match      Matcher
	retryLimit int // -1: retry forever
	workers    int
	backoff    backoff
	metrics    *metrics.Output
	pipeline   *Pipeline

	queue    taskQueue
	retryLog retryLog // which retries are worth a warning

	mu       sync.Mutex
	timers   map[*task]*time.Timer // retries waiting for their backoff
	inflight map[*task]struct{}    // tasks inside Flush
	stopped  bool
}

// enqueue hands a task to the workers, or drops it if the output has
// already stopped.
func (o *outputRunner) enqueue(t *task) {
	if !o.queue.push(t) {
		o.drop(t, plugin.ReasonShutdown, nil)
	}
}

// work is the loop of one worker goroutine.
func (o *outputRunner) work(ctx context.Context) {
	for t := o.queue.pop(); t != nil; t = o.queue.pop() {
		o.mu.Lock()
		o.inflight[t] = struct{}{}
		o.mu.Unlock()
		o.deliver(ctx, t)
		o.mu.Lock()
		delete(o.inflight, t)
		o.mu.Unlock()
	}
}

// deliver flushes one task and applies the retry policy to its outcome.
func (o *outputRunner) deliver(ctx context.Context, t *task) {
	err := o.output.Flush(ctx, &t.chunk)
	if err == nil {
		o.metrics.ProcRecords.Add(uint64(t.chunk.Records))
		o.metrics.ProcBytes.Add(uint64(len(t.chunk.Data)))
		o.pipeline.taps.publish(o.id, "output", t.chunk.Tag, t.chunk.Data, t.chunk.Records)
		o.finish(t)
		return
	}
	if ctx.Err() != nil {
		o.drop(t, plugin.ReasonShutdown, err)
		return
	}
	o.metrics.Errors.Add(1)
	if plugin.IsAccessDenied(err) {
		o.metrics.Denied(err.Error())
	}
	class, wait, failed := plugin.Classify(err)
	switch class {
	case plugin.ClassPermanent:
		o.drop(t, plugin.DropReason(err), err)
	case plugin.ClassPartial:
		drops := plugin.Drops(err)
		dropped, droppedBytes := o.dropSome(t, drops)
		if len(drops) > 0 && len(failed) == 0 {
			o.metrics.ProcRecords.Add(uint64(max(t.chunk.Records-dropped, 0)))
			o.metrics.ProcBytes.Add(uint64(max(len(t.chunk.Data)-droppedBytes, 0)))
			o.finish(t)
			return
		}
		if rest, ok := subset(t.chunk, failed); ok {
			o.metrics.ProcRecords.Add(uint64(max(t.chunk.Records-rest.Records-dropped, 0)))
			o.metrics.ProcBytes.Add(uint64(max(len(t.chunk.Data)-len(rest.Data)-droppedBytes, 0)))
			t.chunk = rest
			t.subset = true
		}
		o.retry(t, err, 0)
	default:
		o.retry(t, err, wait)
	}
}

// retry schedules t again after a backoff, or gives it up once Retry_Limit
// is spent.
func (o *outputRunner) retry(t *task, err error, minWait time.Duration) {
	t.attempts++
	if o.retryLimit >= 0 && t.attempts > o.retryLimit {
		o.metrics.RetriesFailed.Add(1)
		o.drop(t, plugin.ReasonRetryLimit, err)
		return
	}
	wait := max(o.backoff.wait(t.attempts), minWait)
	o.metrics.Retries.Add(1)
	o.metrics.RetriedRecords.Add(uint64(t.chunk.Records))
	if log, repeats := o.retryLog.admit(err); log {
		args := []any{"tag", t.chunk.Tag, "records", t.chunk.Records,
			"attempt", t.attempts, "retry_in", wait.Round(time.Millisecond), "error", err}
		if repeats > 0 {
			args = append(args, "same_error_since_last_report", repeats)
		}
		o.logger.Warn("failed to flush chunk; will retry", args...)
	} else {
		o.logger.Debug("failed to flush chunk; will retry (same error as reported)", "tag", t.chunk.Tag,
			"records", t.chunk.Records, "attempt", t.attempts, "retry_in", wait.Round(time.Millisecond), "error", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		o.drop(t, plugin.ReasonShutdown, err)
		return
	}
	o.park(t)
	o.timers[t] = time.AfterFunc(wait, func() {
		o.mu.Lock()
		delete(o.timers, t)
		stopped := o.stopped
		o.mu.Unlock()
		if stopped {
			o.drop(t, plugin.ReasonShutdown, err)
			return
		}
		if !o.unpark(t) {
			return
		}
		o.enqueue(t)
	})
}

// finish releases a delivered task.
func (o *outputRunner) finish(t *task) {
	if !t.settled.CompareAndSwap(false, true) {
		return
	}
	if t.flight.stored != nil {
		t.flight.stored.Done(o.id)
	}
	if !t.parked {
		t.flight.release()
	}
	o.pipeline.tasks.Done()
}

// drop gives up on a task's records: counted by reason, logged at error
// level (data is lost; see dropRecorder for the rate limit), and released.
func (o *outputRunner) drop(t *task, reason string, err error) {
	if !t.settled.CompareAndSwap(false, true) {
		return
	}
	if reason == plugin.ReasonShutdown && t.flight.stored != nil {
		// Not lost: the chunk stays in the input's store and is sent
		// again at the next start.
		o.logger.Info("undelivered at shutdown; kept in the filesystem buffer for the next start",
			"tag", t.chunk.Tag, "records", t.chunk.Records)
		if !t.parked {
			t.flight.release()
		}
		o.pipeline.tasks.Done()
		return
	}
	t.flight.failed.Store(true)
	msg := "dropping records"
	if o.deadLetter(t, reason, err) {
		msg = "dropping records; written to the dead-letter store"
	}
	o.drops.record(msg, t.chunk.Tag, reason, t.chunk.Records, err, "attempts", t.attempts+1)
	if t.flight.stored != nil {
		t.flight.stored.Done(o.id)
	}
	if !t.parked {
		t.flight.release()
	}
	o.pipeline.tasks.Done()
}

// dropSome gives up on the records of t that a partial failure names in
// drops (see plugin.PartialDropped): the destination refused them for good
// or the output could not send them, while it took or deferred the others.
// Each group is counted and logged with its reason and dead-lettered, and
// the flight is marked failed so an input waiting for an acknowledgement
// learns that not everything was delivered. It returns the records and
// bytes dropped.
func (o *outputRunner) dropSome(t *task, drops []plugin.Drop) (records, bytes int) {
	for _, d := range drops {
		indexes := validIndexes(d.Indexes, t.chunk.Records)
		if len(indexes) == 0 {
			continue
		}
		reason := d.Reason
		if reason == "" {
			reason = plugin.ReasonPermanent
		}
		t.flight.failed.Store(true)
		msg := "dropping records the output could not deliver"
		// subset fails only for records that do not decode (a malformed
		// tail the output could not read either): counted, not kept.
		if part, ok := subset(t.chunk, indexes); ok {
			bytes += len(part.Data)
			if o.deadLetter(&task{chunk: part}, reason, d.Err) {
				msg += "; written to the dead-letter store"
			}
		}
		records += len(indexes)
		o.drops.record(msg, t.chunk.Tag, reason, len(indexes), d.Err)
	}
	return records, bytes
}

// stop ends the output after the grace period: retries still waiting are
// dropped, the queue is closed and what it still holds is dropped once the
// workers have returned (see abandonQueued).
func (o *outputRunner) stop() {
	o.mu.Lock()
	o.stopped = true
	var abandoned []*task
	for t, timer := range o.timers {
		if timer.Stop() {
			abandoned = append(abandoned, t)
		}
		delete(o.timers, t)
	}
	o.mu.Unlock()
	for _, t := range abandoned {
		o.drop(t, plugin.ReasonShutdown, nil)
	}
	o.queue.close()
}

// abandonInflight drops the tasks of workers stuck in a Flush that ignores
// its context (a hung network filesystem, a pipe nobody reads), so that
// shutdown can finish and report them.
func (o *outputRunner) abandonInflight() {
	o.mu.Lock()
	stuck := make([]*task, 0, len(o.inflight))
	for t := range o.inflight {
		stuck = append(stuck, t)
	}
	o.mu.Unlock()
	if len(stuck) > 0 {
		o.logger.Error("output is stuck in Flush past the grace period; exiting without it", "chunks", len(stuck))
	}
	for _, t := range stuck {
		o.drop(t, plugin.ReasonShutdown, nil)
	}
}

// abandonQueued drops tasks left in a closed queue.
func (o *outputRunner) abandonQueued() {
	for _, t := range o.queue.drain() {
		o.drop(t, plugin.ReasonShutdown, nil)
	}
}

// subset returns a chunk holding only the records at the given indexes of
// c, for retrying what a partial failure reported. ok is false when the
// indexes select nothing valid, in which case the whole chunk is retried.
func subset(c record.Chunk, indexes []int) (record.Chunk, bool) {
	if len(indexes) == 0 {
		return c, false
	}
	want := make(map[int]bool, len(indexes))
	for _, i := range indexes {
		want[i] = true
	}
	var b record.Builder
	it := record.NewIterator(c.Data)
	for it.Next() {
		if want[it.Index()] {
			b.AppendRaw(it.Event().Raw)
		}
	}
	if b.Records() == 0 {
		return c, false
	}
	return record.Chunk{Tag: c.Tag, Data: b.Bytes(), Records: b.Records()}, true
}

// taskQueue is an output's FIFO of tasks, shared by its workers. Its
// length is bounded by the inputs' Mem_Buf_Limit budgets, which hold every
// queued byte.
type taskQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*task
	closed bool
}

func (q *taskQueue) init() { q.cond = sync.NewCond(&q.mu) }

// push appends t; it returns false if the queue is closed.
func (q *taskQueue) push(t *task) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, t)
	q.cond.Signal()
	return true
}

// pop blocks for the next task; it returns nil once the queue is closed.
func (q *taskQueue) pop() *task {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil
	}
	t := q.items[0]
	q.items[0] = nil
	q.items = q.items[1:]
	return t
}

func (q *taskQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}

// drain empties a closed queue.
func (q *taskQueue) drain() []*task {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}
