package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/storage"
)

// bufferStorage is the pipeline's filesystem buffering (inputs with
// storage.type filesystem) and its dead-letter store:
//
//   - Emit of a filesystem input returns once its records are written to
//     the input's store (and fsynced with storage.sync full);
//   - a sealed chunk is dispatched ("up") while fewer than
//     storage.max_chunks_up filesystem chunks are in memory and the input
//     is under its Mem_Buf_Limit; otherwise it stays only on disk ("down")
//     and the backlog loader brings it up when there is room, as it does
//     with the chunks a previous run left;
//   - an output's delivery writes a done marker; a chunk every output is
//     done with frees its segments;
//   - at shutdown, what is still undelivered stays on disk for the next
//     start instead of being dropped.
type bufferStorage struct {
	settings StorageSettings
	fs       storage.FS // nil: the OS; tests inject faults
	limits   map[string]*storage.OutputLimit
	rejected *storage.DeadLetters

	// up counts filesystem chunks in memory, against storage.max_chunks_up.
	up   *memGate
	wake chan struct{} // a chunk went down, or an up chunk was released

	mu      sync.Mutex
	backlog int64 // bytes of chunks read back from disk, in memory
	down    map[*inputRunner][]*storage.Chunk
	next    int // the input loadOne looks at first

	// progress is when a backlog found at start counts as large, and how
	// often its replay is reported (replay.go); replays are the large
	// backlogs, owned by reportReplay once Run started.
	progress struct {
		chunks, bytes int64
		every         time.Duration
	}
	replays []*replayProgress
}

func newBufferStorage(s StorageSettings) *bufferStorage {
	b := &bufferStorage{settings: s, limits: map[string]*storage.OutputLimit{},
		up: newMemGate(int64(s.MaxChunksUp), nil), wake: make(chan struct{}, 1),
		down: map[*inputRunner][]*storage.Chunk{}}
	b.progress.chunks, b.progress.bytes, b.progress.every = replayProgressChunks, replayProgressBytes, replayProgressEvery
	return b
}

func (b *bufferStorage) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *bufferStorage) pushDown(r *inputRunner, c *storage.Chunk) {
	b.mu.Lock()
	b.down[r] = append(b.down[r], c)
	b.mu.Unlock()
	b.signal()
}

// openStorage opens every filesystem input's store, queues the chunks a
// previous run left, and opens the dead-letter store.
func (p *Pipeline) openStorage() error {
	b := p.storage
	if b == nil {
		return nil
	}
	byName := map[string]*outputRunner{}
	for _, o := range p.outputs {
		byName[o.id] = o
	}
	if b.settings.KeepRejected {
		dl, err := storage.OpenDeadLetters(b.settings.RejectedPath, b.fs)
		if err != nil {
			return fmt.Errorf("[SERVICE] storage.keep.rejected: %w", err)
		}
		b.rejected = dl
	}
	for _, r := range p.inputs {
		if !r.filesystem {
			continue
		}
		store, backlog, err := storage.Open(storage.Options{
			Dir: filepath.Join(b.settings.Path, storage.SafeName(r.id)), Name: r.id,
			Sync: b.settings.Sync, Checksum: b.settings.Checksum, FS: b.fs,
			Logger: r.logger, Metrics: r.storeMetrics, Limits: b.limits,
			OnEvict: func(output, tag string, records int) {
				if o := byName[output]; o != nil {
					o.drops.record("dropping the oldest buffered records: storage.total_limit_size reached",
						tag, plugin.ReasonStorageLimit, records, nil, "limit", b.limits[output].Limit, "input", r.id)
				}
			},
		})
		if err != nil {
			return fmt.Errorf("%s: storage.type filesystem: %w", r.config.Label(), err)
		}
		r.store = store
		if len(backlog) > 0 {
			b.trackReplay(r, backlog, time.Now())
			b.mu.Lock()
			b.down[r] = append(b.down[r], backlog...)
			b.mu.Unlock()
		}
	}
	b.signal()
	return nil
}

// closeStorage closes the stores after the last output returned.
func (p *Pipeline) closeStorage() {
	if p.storage == nil {
		return
	}
	for _, r := range p.inputs {
		if r.store != nil {
			if err := r.store.Close(); err != nil {
				r.logger.Warn("storage: close failed", "error", err)
			}
		}
	}
	if p.storage.rejected != nil {
		_ = p.storage.rejected.Close()
	}
}

// syncStorage fsyncs the filesystem inputs' stores (storage.sync normal,
// every Flush).
func (p *Pipeline) syncStorage() {
	for _, r := range p.inputs {
		if r.store != nil {
			if err := r.store.Sync(); err != nil {
				r.logger.Warn("storage: periodic fsync failed", "error", err)
			}
		}
	}
}

// loadBacklog brings chunks that are only on disk back into memory and
// dispatches them, while storage.max_chunks_up and
// storage.backlog.mem_limit allow, until ctx ends.
func (p *Pipeline) loadBacklog(ctx context.Context) {
	b := p.storage
	for {
		// ctx is checked before each load, not after: once shutdown has
		// begun no chunk is loaded any more (select picks at random between
		// a ready wake and a ready Done, so the select alone cannot
		// guarantee that).
		for ctx.Err() == nil && p.loadOne() {
		}
		select {
		case <-ctx.Done():
			return
		case <-b.wake:
			if ctx.Err() != nil {
				return
			}
		}
	}
}

// loadOne dispatches the oldest down chunk of the next input that has one,
// and reports whether there may be more to do now.
func (p *Pipeline) loadOne() bool {
	b := p.storage
	if b.up.inUse() >= b.up.limit {
		return false
	}
	b.mu.Lock()
	if b.backlog > 0 && b.backlog >= b.settings.BacklogMemLimit {
		b.mu.Unlock()
		return false
	}
	var r *inputRunner
	var c *storage.Chunk
	for i := range p.inputs { // round robin over inputs; each input's chunks oldest first
		in := p.inputs[(b.next+i)%len(p.inputs)]
		if q := b.down[in]; len(q) > 0 {
			r, c = in, q[0]
			b.down[in] = q[1:]
			b.next = (b.next + i + 1) % len(p.inputs)
			break
		}
	}
	b.mu.Unlock()
	if c == nil {
		return false
	}
	var outs []*outputRunner
	for _, name := range c.Pending() {
		o := p.outputByID(name)
		if o == nil {
			r.logger.Error("storage: a buffered chunk was routed to an output that is no longer configured; it is not sent there",
				"output", name, "tag", c.Tag(), "records", c.Records())
			c.Done(name)
			continue
		}
		outs = append(outs, o)
	}
	if len(outs) == 0 {
		return true
	}
	data, err := c.Load(p.buffers.get(int(c.Size()), false))
	if err != nil {
		p.buffers.put(data)
		r.storeMetrics.CorruptChunks.Add(1)
		r.logger.Error("storage: cannot read a buffered chunk back; skipping it", "tag", c.Tag(), "records", c.Records(), "error", err)
		for _, o := range outs {
			c.Done(o.id)
		}
		return true
	}
	c.SetInMemory(true)
	b.up.add(1)
	r.storeMetrics.ChunksUp.Add(1)
	b.mu.Lock()
	b.backlog += int64(len(data))
	b.mu.Unlock()
	f := &flight{owner: r, size: int64(len(data)), stored: c, loaded: true}
	f.chunk.Tag, f.chunk.Data, f.chunk.Records = c.Tag(), data, c.Records()
	f.refs.Store(int32(len(outs)))
	p.tasks.Add(len(outs))
	for _, o := range outs {
		o.enqueue(&task{flight: f, chunk: f.chunk})
	}
	return true
}

func (p *Pipeline) outputByID(id string) *outputRunner {
	for _, o := range p.outputs {
		if o.id == id {
			return o
		}
	}
	return nil
}

// dispatchStored dispatches a sealed filesystem chunk, or leaves it on disk
// when storage.max_chunks_up or the input's Mem_Buf_Limit is reached.
func (p *Pipeline) dispatchStored(owner *inputRunner, oc *openChunk, outputs []*outputRunner) {
	b := p.storage
	if err := oc.stored.Seal(); err != nil {
		owner.logger.Warn("storage: fsync at seal failed; the records are written but may not survive a machine crash", "error", err)
	}
	size := int64(len(oc.data))
	overMem := owner.gate.limit > 0 && owner.gate.inUse() > owner.gate.limit
	if b.up.inUse() >= b.up.limit || overMem {
		oc.stored.SetInMemory(false)
		owner.gate.release(size)
		owner.metrics.BufferedBytes.Add(-size)
		p.buffers.put(oc.data)
		b.pushDown(owner, oc.stored)
		return
	}
	b.up.add(1)
	owner.storeMetrics.ChunksUp.Add(1)
	f := &flight{owner: owner, size: size, stored: oc.stored}
	f.chunk.Tag, f.chunk.Data, f.chunk.Records = oc.stored.Tag(), oc.data, oc.records
	f.refs.Store(int32(len(outputs)))
	p.tasks.Add(len(outputs))
	for _, o := range outputs {
		o.enqueue(&task{flight: f, chunk: f.chunk})
	}
}

// releaseStored returns an up filesystem chunk's memory once every output
// is done with it (delivered, given up, or kept for the next run).
func (f *flight) releaseStored() {
	r := f.owner
	b := r.pipeline.storage
	if f.loaded {
		b.mu.Lock()
		b.backlog -= f.size
		b.mu.Unlock()
	} else {
		r.gate.release(f.size)
		r.metrics.BufferedBytes.Add(-f.size)
	}
	f.stored.SetInMemory(false)
	b.up.release(1)
	r.storeMetrics.ChunksUp.Add(-1)
	b.signal()
}

// appendStored writes events to the tag's open filesystem chunk, creating
// it if needed, and returns the open chunk and what to wait for before the
// write counts as durable (storage.sync full; see waitDurable). While the
// store cannot write (a full or failing disk) the input is paused: the
// write is retried with backoff until it succeeds or ctx ends. Called with
// r.mu held; it is released while waiting.
func (r *inputRunner) appendStored(ctx context.Context, tag string, events []byte, records int, rt *route) (*openChunk, storage.Durable, error) {
	if len(tag) > 65535 {
		return nil, 0, fmt.Errorf("tag of %d bytes is longer than the 65535 filesystem buffering can record", len(tag))
	}
	var failing time.Time
	wait := 50 * time.Millisecond
	for {
		if r.closed {
			return nil, 0, errShuttingDown
		}
		oc := r.open[tag]
		if oc == nil {
			names := make([]string, len(rt.outputs))
			for i, o := range rt.outputs {
				names[i] = o.id
			}
			oc = &openChunk{data: r.pipeline.buffers.get(len(events), rt.large), stored: r.store.Create(tag, names)}
			r.open[tag] = oc
		}
		durable, err := oc.stored.Write(events, records)
		if err == nil {
			if !failing.IsZero() {
				r.logger.Info("storage: writing again; input resumed", "paused_for", time.Since(failing).Round(time.Millisecond))
			}
			return oc, durable, nil
		}
		if failing.IsZero() {
			failing = time.Now()
			r.logger.Error("storage: cannot write buffered records; the input is paused until it can (free disk space, or set storage.total_limit_size on outputs)",
				"error", err)
		}
		r.mu.Unlock()
		err = sleepCtx(ctx, wait)
		r.mu.Lock()
		if err != nil {
			return nil, 0, err
		}
		wait = min(2*wait, time.Second)
	}
}

// waitDurable waits, without r.mu, for the fsync that makes a write
// durable (storage.sync full): the store runs one fsync for every writer
// waiting (a group commit). A failed fsync is retried with backoff, the
// input paused, until one succeeds or ctx ends; the records are in the
// chunk already, only their durability is missing, so the write itself is
// not repeated.
func (r *inputRunner) waitDurable(ctx context.Context, d storage.Durable) error {
	var failing time.Time
	wait := 50 * time.Millisecond
	for {
		err := r.store.WaitDurable(d)
		if err == nil {
			if !failing.IsZero() {
				r.logger.Info("storage: fsync succeeded again; input resumed", "paused_for", time.Since(failing).Round(time.Millisecond))
			}
			return nil
		}
		if failing.IsZero() {
			failing = time.Now()
			r.logger.Error("storage: fsync of buffered records failed (storage.sync full); the input is paused until it succeeds (check the disk under storage.path)",
				"error", err)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, time.Second)
	}
}

// sleepCtx waits for d or the end of ctx, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// storageMetrics returns the counters of an input's store, registered for
// the monitoring server when storage.metrics is on.
func storageMetrics(reg *metrics.Registry, svc *Service, id string) *metrics.Storage {
	if svc.Storage.Metrics {
		return reg.NewStorage(id)
	}
	return &metrics.Storage{Name: id}
}

// configureStorage sets up bufferStorage when the configuration uses it:
// a filesystem input, or storage.keep.rejected.
func (p *Pipeline) configureStorage(b *builder) {
	s := p.service.Storage
	used := s.KeepRejected
	for _, r := range p.inputs {
		used = used || r.filesystem
	}
	if !used {
		return
	}
	p.storage = newBufferStorage(s)
	for _, o := range p.outputs {
		if len(o.id) > 255 {
			b.fail(fmt.Errorf("%s: the instance name is longer than the 255 bytes filesystem buffering can record; set a shorter Alias", o.config.Label()))
		}
		if limit := o.config.Size("storage.total_limit_size"); limit > 0 {
			p.storage.limits[o.id] = &storage.OutputLimit{Limit: limit}
		}
	}
}

// deadLetter writes the records of a task given up on to the dead-letter
// store, when storage.keep.rejected is on, and reports whether it did.
// Records are dead-lettered for the reasons Fluent Bit's dead letter queue
// keeps, a permanent error and an exhausted Retry_Limit, and for the
// records an output refused one by one (rejected, oversize, ...); not for
// a shutdown (memory records end with the process) or storage_limit.
func (o *outputRunner) deadLetter(t *task, reason string, cause error) bool {
	b := o.pipeline.storage
	if b == nil || b.rejected == nil || reason == plugin.ReasonShutdown || reason == plugin.ReasonStorageLimit {
		return false
	}
	if err := b.rejected.Write(o.id, reason, cause, &t.chunk); err != nil {
		o.logger.Error("dead-letter store failed; the records are dropped", "error", err)
		return false
	}
	o.pipeline.metrics.CountRejected(o.id, t.chunk.Records)
	return true
}

// park releases, while t waits for its retry, its hold on a filesystem
// chunk's memory: an output that is down then holds no chunk up, so it
// neither starves the other outputs of storage.max_chunks_up nor keeps its
// backlog in memory. unpark reads the chunk back when the retry is due.
// Tasks of memory inputs, and tasks left with the subset of a partial
// failure, keep their data.
func (o *outputRunner) park(t *task) {
	if t.flight.stored == nil || t.subset || t.parked {
		return
	}
	t.parked = true
	t.chunk.Data = nil
	t.flight.release()
}

// unpark reads a parked task's chunk back into a flight of its own. It
// reports false when the chunk cannot be read, in which case the task is
// dropped.
func (o *outputRunner) unpark(t *task) bool {
	if !t.parked {
		return true
	}
	c := t.flight.stored
	r := t.flight.owner
	if !c.IsPending(o.id) {
		// storage.total_limit_size evicted the chunk for this output
		// while it waited (counted and logged then).
		if t.settled.CompareAndSwap(false, true) {
			o.pipeline.tasks.Done()
		}
		return false
	}
	data, err := c.Load(o.pipeline.buffers.get(int(c.Size()), false))
	if err != nil {
		o.pipeline.buffers.put(data)
		r.storeMetrics.CorruptChunks.Add(1)
		o.drop(t, "unreadable_chunk", err)
		return false
	}
	b := o.pipeline.storage
	b.up.add(1)
	r.storeMetrics.ChunksUp.Add(1)
	b.mu.Lock()
	b.backlog += int64(len(data))
	b.mu.Unlock()
	c.SetInMemory(true)
	f := &flight{owner: r, size: int64(len(data)), stored: c, loaded: true}
	f.chunk.Tag, f.chunk.Data, f.chunk.Records = c.Tag(), data, c.Records()
	f.refs.Store(1)
	t.flight, t.chunk, t.parked = f, f.chunk, false
	return true
}

// drainBacklog dispatches every chunk still waiting on disk, as room in
// memory allows, until deadline (storage.backlog.flush_on_shutdown). It
// runs in shutdown's goroutine after the loader stopped, before the wait
// for the tasks, so the tasks it adds cannot race that wait.
func (p *Pipeline) drainBacklog(deadline time.Time) {
	b := p.storage
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		if p.loadOne() {
			continue
		}
		b.mu.Lock()
		waiting := 0
		for _, q := range b.down {
			waiting += len(q)
		}
		b.mu.Unlock()
		if waiting == 0 {
			return
		}
		select {
		case <-b.wake:
		case <-timer.C:
			p.logger.Warn("storage: grace period ended before the backlog on disk was delivered; it is kept for the next start", "chunks", waiting)
			return
		}
	}
}
