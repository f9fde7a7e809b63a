package tail

import (
	"context"
	"sync"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Offsets follow acknowledgements when the engine gives them
// (plugin.AckEmitter): a batch's end offset is stored in the DB only once
// Sluice is done with its records — written to the filesystem buffer for
// storage.type filesystem, delivered by every output for memory inputs —
// and only after every earlier batch of the file, so the DB never gets
// ahead of a batch still in flight. A kill -9 then loses nothing: what
// was not acknowledged is read again (at least once).

// ackEntry is one emitted batch of a file, or a stretch of skipped lines
// (done from the start) behind batches still in flight.
type ackEntry struct {
	end  int64 // the file's committable offset after the batch
	gen  int   // the file's generation (truncations) when it was read
	done bool
	// kept marks a batch given up on at shutdown (Grace ran out): the
	// offset stays before it, so the next start reads it again.
	kept bool
}

// ackMsg is an acknowledgement on its way to the input's goroutine.
type ackMsg struct {
	t         *tailedFile
	e         *ackEntry
	delivered bool
}

// ackQueue carries acknowledgements from engine goroutines, which must
// not block, to the input's goroutine (or to Close, after Run returned).
type ackQueue struct {
	mu     sync.Mutex
	msgs   []ackMsg
	signal chan struct{} // capacity 1: "msgs is not empty"
}

func newAckQueue() *ackQueue { return &ackQueue{signal: make(chan struct{}, 1)} }

func (q *ackQueue) push(m ackMsg) {
	q.mu.Lock()
	q.msgs = append(q.msgs, m)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *ackQueue) take() []ackMsg {
	q.mu.Lock()
	defer q.mu.Unlock()
	m := q.msgs
	q.msgs = nil
	return m
}

// emitBatch hands the batch to the pipeline under t's tag. With an
// AckEmitter the batch joins t's in-flight list and its offset is stored
// when it is acknowledged; otherwise the offset is stored at once.
func (st *runState) emitBatch(t *tailedFile) error {
	if st.acker == nil {
		err := st.emitter.Emit(st.ctx, t.tag, st.batch.Bytes(), st.batch.Records())
		st.batch.Reset()
		return err
	}
	e := &ackEntry{end: st.committable(t), gen: t.gen}
	err := st.acker.EmitWithAck(st.ctx, t.tag, st.batch.Bytes(), st.batch.Records(), func(delivered bool) {
		st.acks.push(ackMsg{t, e, delivered})
	})
	st.batch.Reset()
	if err != nil {
		return err
	}
	t.inflight = append(t.inflight, e)
	return nil
}

// applyAcks marks acknowledged batches done and stores, per file, the
// offset after its longest run of done batches.
func (st *runState) applyAcks() {
	msgs := st.acks.take()
	if len(msgs) == 0 {
		return
	}
	for _, m := range msgs {
		// Given up on while running (a permanent error, Retry_Limit:
		// counted and logged by the engine) is done with; given up on
		// at shutdown is not, and is read again at the next start.
		m.e.done = true
		m.e.kept = !m.delivered && st.stopping
	}
	for _, m := range msgs {
		st.advance(m.t)
	}
}

func (st *runState) advance(t *tailedFile) {
	var last *ackEntry
	for len(t.inflight) > 0 && t.inflight[0].done && !t.inflight[0].kept {
		last, t.inflight = t.inflight[0], t.inflight[1:]
	}
	if last == nil || last.gen != t.gen || t.closed {
		return
	}
	if err := st.store(t, last.end); err != nil {
		st.in.logger.Error("offsets DB: write failed; a restart may read lines again", "error", err)
	}
}

// Close is called by the engine once every output is done: the last
// acknowledgements are stored, then the DB and the files are closed.
func (in *Input) Close(context.Context) error {
	st := in.run
	if st == nil {
		return nil
	}
	st.applyAcks()
	st.close()
	return nil
}

var _ plugin.Closer = (*Input)(nil)
