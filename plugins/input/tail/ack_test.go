package tail

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// ackCollector is an AckEmitter whose acknowledgements the test releases.
type ackCollector struct {
	collector
	mu   sync.Mutex
	acks []func(bool)
}

func (c *ackCollector) EmitWithAck(ctx context.Context, tag string, events []byte, records int, ack func(bool)) error {
	if err := c.Emit(ctx, tag, events, records); err != nil {
		return err
	}
	c.mu.Lock()
	c.acks = append(c.acks, ack)
	c.mu.Unlock()
	return nil
}

func (c *ackCollector) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.acks)
}

func (c *ackCollector) release(i int) {
	c.mu.Lock()
	ack := c.acks[i]
	c.mu.Unlock()
	ack(true)
}

// dbOffset reads the offset the DB at path holds for file, without
// touching the DB.
func dbOffset(t *testing.T, path, file string) int64 {
	t.Helper()
	data, _ := os.ReadFile(path)
	d := &offsetDB{entries: map[fileID]dbEntry{}}
	d.replay(data)
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	e, ok := d.entries[idOf(fi)]
	if !ok {
		return -1
	}
	return e.offset
}

func waitOffset(t *testing.T, db, file string, want int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for dbOffset(t, db, file) != want {
		if time.Now().After(deadline) {
			t.Fatalf("DB offset %d, want %d", dbOffset(t, db, file), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTailOffsetsFollowAcks checks the DB offset moves only when batches
// are acknowledged, and only past a run of acknowledged batches.
func TestTailOffsetsFollowAcks(t *testing.T) {
	dir := t.TempDir()
	a, db := filepath.Join(dir, "a.log"), filepath.Join(dir, "db")
	appendTo(t, a, "one\n")
	c := &ackCollector{}
	in := newTail(t, nil, "Path", a, "Read_from_Head", "on", "DB", db)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, c) }()
	waitLogs(t, &c.collector, "one")
	appendTo(t, a, "two\n")
	waitLogs(t, &c.collector, "one", "two")
	if c.pending() != 2 {
		t.Fatalf("%d batches awaiting acknowledgement, want 2", c.pending())
	}
	waitOffset(t, db, a, 0)
	c.release(1) // out of order: TestAdvanceInOrder shows the first holds it back
	c.release(0)
	waitOffset(t, db, a, 8)

	// A batch acknowledged after Run returned is stored by Close.
	appendTo(t, a, "three\n")
	waitLogs(t, &c.collector, "one", "two", "three")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.release(2)
	if err := in.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if off := dbOffset(t, db, a); off != 14 {
		t.Fatalf("DB offset after Close %d, want 14", off)
	}
}

// TestAdvanceInOrder drives the in-flight list directly: an offset is
// stored only past a run of acknowledged batches, skipped stretches wait
// behind batches in flight, and batches read before a truncation store
// nothing.
func TestAdvanceInOrder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.log")
	appendTo(t, path, "x\n")
	f, _ := os.Open(path)
	defer f.Close()
	fi, _ := f.Stat()
	db, err := openDB(filepath.Join(dir, "db"), syncOff, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.close()
	st := &runState{in: newTail(t, nil, "Path", path), db: db, acks: newAckQueue()}
	tf := &tailedFile{id: idOf(fi), name: path, f: f, lr: newLineReader(newBufferPool(0), 1024, 0), committed: -1}
	stored := func() int64 { e, _ := db.lookup(tf.id); return e.offset }
	b1 := &ackEntry{end: 10}
	b2 := &ackEntry{end: 20}
	tf.inflight = []*ackEntry{b1, b2}
	tf.lr.off = 30 // then 10 bytes of skipped lines
	st.commit(tf)
	if len(tf.inflight) != 3 || !tf.inflight[2].done || stored() != 0 {
		t.Fatalf("skipped stretch: %d in flight, stored %d", len(tf.inflight), stored())
	}
	st.acks.push(ackMsg{tf, b2, true})
	st.applyAcks()
	if stored() != 0 || len(tf.inflight) != 3 {
		t.Fatalf("second batch acknowledged first: stored %d", stored())
	}
	st.acks.push(ackMsg{tf, b1, true})
	st.applyAcks()
	if stored() != 30 || len(tf.inflight) != 0 {
		t.Fatalf("both acknowledged: stored %d, %d in flight", stored(), len(tf.inflight))
	}
	// A batch given up on at shutdown holds the offset before it.
	lost := &ackEntry{end: 40, gen: 0}
	tf.lr.off = 40
	tf.inflight = []*ackEntry{lost}
	st.stopping = true
	st.acks.push(ackMsg{tf, lost, false})
	st.applyAcks()
	if stored() != 30 || len(tf.inflight) != 1 {
		t.Fatalf("dropped at shutdown: stored %d, want 30", stored())
	}
	st.stopping = false

	// A batch of the old content acknowledged after a truncation.
	old := &ackEntry{end: 50, gen: 0}
	tf.inflight = []*ackEntry{old}
	tf.committed = 30
	tf.gen = 1
	tf.lr.reset(0)
	st.commit(tf)
	st.acks.push(ackMsg{tf, old, true})
	st.applyAcks()
	if stored() != 0 {
		t.Fatalf("after truncation: stored %d, want 0", stored())
	}
}
