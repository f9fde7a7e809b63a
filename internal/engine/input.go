package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/storage"
)

// errShuttingDown is returned by Emit once the pipeline has sealed its last
// chunks: records offered later could not be delivered.
var errShuttingDown = errors.New("pipeline is shutting down; records not accepted")

// chunkTarget is the size at which an open chunk is sealed and dispatched
// without waiting for the next flush tick; Fluent Bit's chunks are about
// 2 MB for the same reason (bounded request sizes, bounded retry units).
const chunkTarget = 2 << 20

var _ plugin.AckEmitter = (*inputRunner)(nil)

// inputRunner owns one input instance: it runs the plugin, applies the
// filters that match each tag, and accumulates records into one open chunk
// per tag until the flush scheduler (or chunkTarget) seals it.
type inputRunner struct {
	instance
	tag      string
	input    plugin.Input  // nil for an emitter (see plugin.Settings.Emitter)
	skip     *filterRunner // an emitter's filter, left out of its routes
	metrics  *metrics.Input
	gate     *memGate
	pipeline *Pipeline

	// filesystem is storage.type filesystem: store (opened by Run) keeps
	// every accepted record on disk until its outputs delivered it.
	filesystem       bool
	pauseOnOverlimit bool // storage.pause_on_chunks_overlimit
	store            *storage.Store
	storeMetrics     *metrics.Storage

	// routes caches the route of each tag (string → *route), read without
	// a lock on the hot path; nroutes bounds it (maxCachedRoutes).
	routes  sync.Map
	nroutes atomic.Int32

	// mu guards the open chunks: Emit takes it once, to append. It is held
	// across storage.Chunk.Write (so frames are written in the order
	// records join the open chunk) but not across the fsync of
	// storage.sync full, which Emit waits for after releasing it.
	mu     sync.Mutex
	open   map[string]*openChunk
	closed bool
	warned map[string]bool // tags already reported as unrouted
}

// openChunk is the not yet sealed chunk of one tag.
type openChunk struct {
	data    []byte
	records int
	stored  *storage.Chunk         // filesystem inputs only
	acks    []func(delivered bool) // memory inputs: EmitWithAck callbacks of these records
}

// route is what a tag goes through: the filters and outputs whose Match
// selects it, in configuration order.
type route struct {
	filters []*filterRunner
	outputs []*outputRunner
	// large is set (under inputRunner.mu) when the tag's last chunk
	// outgrew a small buffer: its next chunk starts in a sealed-size one.
	large bool
}

// maxCachedRoutes bounds the per-input route cache; tags are usually few
// (one per input, or one per tailed file) but a re-tagging filter could
// make them unbounded.
const maxCachedRoutes = 4096

func (r *inputRunner) routeFor(tag string) *route {
	if rt, ok := r.routes.Load(tag); ok {
		return rt.(*route)
	}
	if r.nroutes.Add(1) > maxCachedRoutes {
		r.routes.Clear()
		r.nroutes.Store(1)
	}
	rt, _ := r.routes.LoadOrStore(tag, r.pipeline.resolve(tag, r.skip))
	return rt.(*route)
}

var builderPool = sync.Pool{New: func() any { return new(record.Builder) }}

// Emit implements plugin.Emitter. For a filesystem input it returns nil
// only once the records are written to the input's store (fsynced too with
// storage.sync full); Mem_Buf_Limit then never pauses the input (chunks
// over it stay on disk), storage.pause_on_chunks_overlimit does.
func (r *inputRunner) Emit(ctx context.Context, tag string, events []byte, records int) error {
	return r.emit(ctx, tag, events, records, nil)
}

// EmitWithAck implements plugin.AckEmitter.
func (r *inputRunner) EmitWithAck(ctx context.Context, tag string, events []byte, records int, ack func(delivered bool)) error {
	return r.emit(ctx, tag, events, records, ack)
}

func (r *inputRunner) emit(ctx context.Context, tag string, events []byte, records int, ack func(bool)) error {
	if records <= 0 || len(events) == 0 {
		ackNow(ack)
		return nil
	}
	switch {
	case !r.filesystem:
		if err := r.gate.wait(ctx); err != nil {
			return err
		}
	case r.pauseOnOverlimit:
		if err := r.pipeline.storage.up.wait(ctx); err != nil {
			return err
		}
	}
	r.metrics.Records.Add(uint64(records))
	r.metrics.Bytes.Add(uint64(len(events)))
	r.pipeline.taps.publish(r.id, "input", tag, events, records)

	rt := r.routeFor(tag)

	// Filters write into two pooled builders in turn, so each reads the
	// previous one's output without a copy.
	var scratch [2]*record.Builder
	next := 0
	for _, f := range rt.filters {
		if scratch[next] == nil {
			scratch[next] = builderPool.Get().(*record.Builder)
		}
		out := scratch[next]
		out.Reset()
		var modified bool
		if events, records, modified = f.apply(tag, events, records, out); modified {
			next = 1 - next
		}
		r.pipeline.taps.publish(f.id, "filter", tag, events, records)
		if records == 0 {
			break
		}
	}
	defer func() {
		for _, b := range scratch {
			if b != nil {
				b.Reset()
				builderPool.Put(b)
			}
		}
	}()
	if records == 0 {
		ackNow(ack)
		return nil
	}
	return r.buffer(ctx, tag, events, records, rt, ack)
}

func ackNow(ack func(bool)) {
	if ack != nil {
		ack(true)
	}
}

// buffer appends filtered records to the tag's open chunk, sealing it when
// it reaches chunkTarget. It takes r.mu once; with storage.sync full the
// fsync is waited for after releasing it, so concurrent Emits of one input
// (a forward input's connections) share fsyncs instead of queueing behind
// each other's, and each still returns only once its records are durable.
func (r *inputRunner) buffer(ctx context.Context, tag string, events []byte, records int, rt *route, ack func(bool)) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return errShuttingDown
	}
	if len(rt.outputs) == 0 {
		first := !r.warned[tag]
		r.warned[tag] = true
		r.mu.Unlock()
		r.metrics.Unrouted.Add(uint64(records))
		if first {
			r.logger.Warn("no output matches this tag; its records are discarded (counted in sluice_input_unrouted_records_total)", "tag", tag)
		}
		ackNow(ack)
		return nil
	}
	oc := r.open[tag]
	var durable storage.Durable
	if r.store != nil {
		var err error
		if oc, durable, err = r.appendStored(ctx, tag, events, records, rt); err != nil {
			r.mu.Unlock()
			return err
		}
	} else if oc == nil {
		oc = &openChunk{data: r.pipeline.buffers.get(len(events), rt.large)}
		r.open[tag] = oc
	}
	oc.data = append(r.pipeline.buffers.grow(oc.data, len(events)), events...)
	oc.records += records
	if ack != nil && r.store == nil {
		oc.acks = append(oc.acks, ack)
	}
	r.gate.add(int64(len(events)))
	r.metrics.BufferedBytes.Add(int64(len(events)))
	var sealed *openChunk
	if len(oc.data) >= chunkTarget {
		sealed = oc
		delete(r.open, tag)
		rt.large = true
	}
	r.mu.Unlock()
	if sealed != nil {
		r.pipeline.dispatch(r, tag, sealed, rt.outputs)
	}
	if r.store != nil {
		if err := r.waitDurable(ctx, durable); err != nil {
			return err
		}
		ackNow(ack) // written (and fsynced with storage.sync full)
	}
	return nil
}

// sealAll dispatches every open chunk; with final set, the input accepts
// no more records afterwards.
func (r *inputRunner) sealAll(final bool) {
	r.mu.Lock()
	if final {
		r.closed = true
	}
	if len(r.open) == 0 {
		r.mu.Unlock()
		return
	}
	type sealed struct {
		tag string
		oc  *openChunk
		rt  *route
	}
	batch := make([]sealed, 0, len(r.open))
	for tag, oc := range r.open {
		rt := r.routeFor(tag)
		rt.large = len(oc.data) > smallChunkBuffer
		batch = append(batch, sealed{tag, oc, rt})
		delete(r.open, tag)
	}
	r.mu.Unlock()
	for _, s := range batch {
		r.pipeline.dispatch(r, s.tag, s.oc, s.rt.outputs)
	}
}
