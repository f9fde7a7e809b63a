package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/storage"
)

// storageModel is one filesystem input "a" routed to sink "o".
func storageModel(dir string, service []string, input []string, output []string) *config.Model {
	m := &config.Model{Service: fastService(append([]string{"storage.path", dir}, service...)...)}
	m.Add(section(config.KindInput, append([]string{"Name", "feed", "id", "a", "Tag", "app", "storage.type", "filesystem"}, input...)...))
	m.Add(section(config.KindOutput, append([]string{"Name", "sink", "id", "o", "Match", "*"}, output...)...))
	return m
}

// lossAndDuplicates compares delivered numbers with 0..n-1.
func lossAndDuplicates(got []int, n int) (missing, dups int) {
	seen := map[int]int{}
	for _, v := range got {
		seen[v]++
	}
	for i := range n {
		switch c := seen[i]; {
		case c == 0:
			missing++
		case c > 1:
			dups += c - 1
		}
	}
	return missing, dups
}

func emitAll(h *harness, n, batch int) {
	for i := 0; i < n; i += batch {
		h.inputs["a"].batches <- seq(i, min(i+batch, n))
	}
}

// TestFilesystemBufferSurvivesRestart: an output that never succeeds leaves
// every record on disk at shutdown (not a counted loss); the next run
// replays them to the output they were routed to, once.
func TestFilesystemBufferSurvivesRestart(t *testing.T) {
	for _, sync := range []string{"normal", "full"} {
		t.Run(sync, func(t *testing.T) {
			dir := t.TempDir()
			const n = 500
			down := &sink{failWith: func(int, *record.Chunk) error { return errors.New("destination down") }}
			h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 100)}}, outputs: map[string]*sink{"o": down}}
			m := storageModel(dir, []string{"storage.sync", sync, "storage.checksum", "on", "Grace", "0.3"}, nil, nil)
			p, cancel, done := h.start(t, m)
			emitAll(h, n, 37)
			waitFor(t, "records stored", func() bool { return h.inputs["a"].emitted.Load() == n })
			waitFor(t, "a flush attempt", func() bool { down.mu.Lock(); defer down.mu.Unlock(); return down.flushes > 0 })
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("shutdown with a filesystem buffer reported a loss: %v", err)
			}
			if d := p.Metrics().Outputs()[0].DroppedRecords.Load(); d != 0 {
				t.Fatalf("%d records counted as dropped; they are on disk", d)
			}

			up := &sink{}
			h2 := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int)}}, outputs: map[string]*sink{"o": up}}
			_, cancel2, done2 := h2.start(t, storageModel(dir, []string{"storage.sync", sync, "storage.checksum", "on"}, nil, nil))
			waitFor(t, "replay", func() bool { return len(up.numbers()) >= n })
			cancel2()
			if err := <-done2; err != nil {
				t.Fatal(err)
			}
			if missing, dups := lossAndDuplicates(up.numbers(), n); missing != 0 || dups != 0 {
				t.Fatalf("replay: %d missing, %d duplicated", missing, dups)
			}
			if entries, _ := os.ReadDir(filepath.Join(dir, "feed.0")); len(entries) != 0 {
				t.Errorf("%d files left in the store after everything was delivered", len(entries))
			}
		})
	}
}

// TestMaxChunksUpKeepsTheRestOnDisk: with storage.max_chunks_up 1 and a
// slow output, chunks wait on disk and are all delivered, each once.
func TestMaxChunksUpKeepsTheRestOnDisk(t *testing.T) {
	dir := t.TempDir()
	gate := make(chan struct{})
	slow := &sink{block: gate}
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 100)}}, outputs: map[string]*sink{"o": slow}}
	p, cancel, done := h.start(t, storageModel(dir, []string{"storage.max_chunks_up", "1", "storage.metrics", "on"}, nil, nil))
	const n = 400
	for i := 0; i < n; i += 20 {
		h.inputs["a"].batches <- seq(i, i+20)
		time.Sleep(2 * time.Millisecond) // spread the batches over several flushes
	}
	waitFor(t, "records stored", func() bool { return h.inputs["a"].emitted.Load() == n })
	st := p.Metrics().Storage()[0]
	waitFor(t, "chunks down", func() bool { return st.Chunks.Load()-st.ChunksUp.Load() > 0 })
	if up := st.ChunksUp.Load(); up > 1 {
		t.Fatalf("%d chunks up with storage.max_chunks_up 1", up)
	}
	close(gate)
	waitFor(t, "delivery", func() bool { return len(slow.numbers()) >= n })
	cancel()
	<-done
	if missing, dups := lossAndDuplicates(slow.numbers(), n); missing != 0 || dups != 0 {
		t.Fatalf("%d missing, %d duplicated", missing, dups)
	}
}

// TestPermanentErrorsGoToTheDeadLetterStore: records an output rejects are
// written to storage.rejected.path as JSON lines with tag, output and reason.
func TestPermanentErrorsGoToTheDeadLetterStore(t *testing.T) {
	dir := t.TempDir()
	bad := &sink{failWith: func(int, *record.Chunk) error { return plugin.Permanent(errors.New("invalid record")) }}
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{"o": bad}}
	m := &config.Model{Service: fastService("storage.path", dir, "storage.keep.rejected", "on")}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*", "Alias", "es"))
	p, cancel, done := h.start(t, m)
	h.inputs["a"].batches <- seq(0, 3)
	waitFor(t, "rejection", func() bool { return p.Metrics().Rejected()["es"] == 3 })
	cancel()
	<-done
	f, err := os.Open(filepath.Join(dir, "rejected", "es.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 3 {
		t.Fatalf("%d dead letters, want 3", len(lines))
	}
	for _, want := range []string{`"output":"es"`, `"tag":"app"`, `"reason":"permanent_error"`, `"error":"invalid record"`, `"record":{"n":0}`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("dead letter %s lacks %s", lines[0], want)
		}
	}
}

// faultFS is a file layer that can be slowed down and filled up.
type faultFS struct {
	storage.OSFS
	mu      sync.Mutex
	latency time.Duration
	full    bool
	fails   int
}

type faultFile struct {
	storage.File
	fs *faultFS
}

func (f *faultFS) OpenFile(name string, flag int, perm os.FileMode) (storage.File, error) {
	file, err := f.OSFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFS) setFull(v bool) {
	f.mu.Lock()
	f.full = v
	f.mu.Unlock()
}

func (f *faultFile) Write(b []byte) (int, error) {
	f.fs.mu.Lock()
	latency, full := f.fs.latency, f.fs.full
	if full {
		f.fs.fails++
	}
	f.fs.mu.Unlock()
	time.Sleep(latency)
	if full {
		n, _ := f.File.Write(b[:len(b)/2])
		return n, errors.New("no space left on device (injected)")
	}
	return f.File.Write(b)
}

func (f *faultFile) Sync() error {
	f.fs.mu.Lock()
	latency := f.fs.latency
	f.fs.mu.Unlock()
	time.Sleep(latency)
	return f.File.Sync()
}

func startWithFS(t *testing.T, h *harness, m *config.Model, fs storage.FS) (*Pipeline, context.CancelFunc, <-chan error) {
	t.Helper()
	p, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text"), StorageFS: fs})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return p, cancel, done
}

// TestFullDiskPausesTheInputUntilSpaceReturns: while writes fail, Emit
// does not acknowledge (the input is paused); once they succeed again every
// record is delivered once.
func TestFullDiskPausesTheInputUntilSpaceReturns(t *testing.T) {
	dir := t.TempDir()
	fs := &faultFS{}
	out := &sink{}
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 100)}}, outputs: map[string]*sink{"o": out}}
	_, cancel, done := startWithFS(t, h, storageModel(dir, []string{"storage.checksum", "on"}, nil, nil), fs)
	emitAll(h, 100, 10)
	waitFor(t, "first records", func() bool { return len(out.numbers()) == 100 })
	fs.setFull(true)
	emitAll(h, 200, 10) // 0..199 again would duplicate; send 100..199
	waitFor(t, "failing writes", func() bool { fs.mu.Lock(); defer fs.mu.Unlock(); return fs.fails >= 2 })
	if e := h.inputs["a"].emitted.Load(); e != 100 {
		t.Fatalf("%d records acknowledged while the disk was full", e)
	}
	fs.setFull(false)
	waitFor(t, "delivery after the disk has room", func() bool { return len(out.numbers()) >= 300 })
	cancel()
	<-done
	got := out.numbers()
	sort.Ints(got)
	// 0..99 once from the first batch, then 0..199 once.
	want := append(seq(0, 100), seq(0, 200)...)
	sort.Ints(want)
	if len(got) != len(want) {
		t.Fatalf("delivered %d records, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("delivered %v..., want %v...", got[i:min(i+5, len(got))], want[i:min(i+5, len(want))])
		}
	}
}

// TestSlowDiskDeliversEverythingOnce: a disk that takes milliseconds per
// write and fsync slows the input down (it is acknowledged later) but
// loses and duplicates nothing.
func TestSlowDiskDeliversEverythingOnce(t *testing.T) {
	dir := t.TempDir()
	fs := &faultFS{latency: 3 * time.Millisecond}
	out := &sink{}
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 100)}}, outputs: map[string]*sink{"o": out}}
	_, cancel, done := startWithFS(t, h, storageModel(dir, []string{"storage.sync", "full"}, nil, nil), fs)
	const n = 300
	emitAll(h, n, 10)
	waitFor(t, "delivery", func() bool { return len(out.numbers()) >= n })
	cancel()
	<-done
	if missing, dups := lossAndDuplicates(out.numbers(), n); missing != 0 || dups != 0 {
		t.Fatalf("%d missing, %d duplicated", missing, dups)
	}
}

// TestTotalLimitSizeDropsTheOldestForThatOutput: with one output down and
// its storage.total_limit_size small, its oldest chunks are dropped
// (counted with reason storage_limit) while the other output gets all.
func TestTotalLimitSizeDropsTheOldestForThatOutput(t *testing.T) {
	dir := t.TempDir()
	down := &sink{failWith: func(int, *record.Chunk) error { return errors.New("down") }}
	ok := &sink{}
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 100)}}, outputs: map[string]*sink{"down": down, "ok": ok}}
	m := &config.Model{Service: fastService("storage.path", dir, "storage.max_chunks_up", "1", "Grace", "0.3")}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app", "storage.type", "filesystem"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "down", "Match", "*", "Alias", "down", "storage.total_limit_size", "2K"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "ok", "Match", "*", "Alias", "ok"))
	p, cancel, done := h.start(t, m)
	downOut := p.Metrics().Outputs()[0]
	// Eviction happens when a write finds chunks of "down" only on disk,
	// which needs a chunk sealed (every Flush) before later writes: keep
	// writing until it happened, however slowly the machine runs.
	n := 0
	for deadline := time.Now().Add(time.Minute); n < 600 || downOut.DroppedByReason()["storage_limit"] == 0; n += 30 {
		if time.Now().After(deadline) {
			t.Fatalf("no eviction after %d records", n)
		}
		h.inputs["a"].batches <- seq(n, n+30)
		time.Sleep(3 * time.Millisecond)
	}
	waitFor(t, "delivery to the working output", func() bool { return len(ok.numbers()) >= n })
	cancel()
	<-done
	if missing, dups := lossAndDuplicates(ok.numbers(), n); missing != 0 || dups != 0 {
		t.Fatalf("working output: %d missing, %d duplicated", missing, dups)
	}
}

// TestStorageConfigurationErrors: filesystem buffering and dead letters
// need a directory; the error says which key to set.
func TestStorageConfigurationErrors(t *testing.T) {
	tests := []struct {
		name    string
		service []string
		input   []string
		want    string
	}{
		{"filesystem input without storage.path", nil, []string{"storage.type", "filesystem"}, "storage.type: filesystem needs [SERVICE] storage.path"},
		{"dead letters without storage.path", []string{"storage.keep.rejected", "on"}, nil, "storage.keep.rejected: needs storage.path"},
		{"bad storage.sync", []string{"storage.sync", "sometimes"}, nil, `invalid value "sometimes"; valid values are normal, full`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &harness{inputs: map[string]*feed{"a": {}}, outputs: map[string]*sink{"o": {}}}
			m := &config.Model{Service: fastService(tt.service...)}
			m.Add(section(config.KindInput, append([]string{"Name", "feed", "id", "a"}, tt.input...)...))
			m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
			_, err := New(m, Options{Registry: h.registry(t), Logs: logging.NewFactory(io.Discard, "text")})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestPauseOnChunksOverlimit: with storage.pause_on_chunks_overlimit, an
// input whose chunks fill storage.max_chunks_up is paused (Emit blocks)
// instead of its chunks going down to disk.
func TestPauseOnChunksOverlimit(t *testing.T) {
	dir := t.TempDir()
	gate := make(chan struct{})
	out := &sink{block: gate}
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 10)}}, outputs: map[string]*sink{"o": out}}
	p, cancel, done := h.start(t, storageModel(dir, []string{"storage.max_chunks_up", "1", "storage.metrics", "on"},
		[]string{"storage.pause_on_chunks_overlimit", "on"}, nil))
	h.inputs["a"].batches <- seq(0, 10)
	st := p.Metrics().Storage()[0]
	waitFor(t, "a chunk up", func() bool { return st.ChunksUp.Load() == 1 })
	h.inputs["a"].batches <- seq(10, 20)
	time.Sleep(100 * time.Millisecond) // give a wrongly unpaused input time to emit
	if e := h.inputs["a"].emitted.Load(); e != 10 {
		t.Fatalf("%d records acknowledged with max_chunks_up reached; want the input paused at 10", e)
	}
	if down := st.Chunks.Load() - st.ChunksUp.Load(); down != 0 {
		t.Fatalf("%d chunks went down; the input should have paused instead", down)
	}
	close(gate)
	waitFor(t, "delivery", func() bool { return len(out.numbers()) == 20 })
	cancel()
	<-done
}

// TestBacklogFlushOnShutdown: with storage.backlog.flush_on_shutdown, the
// chunks waiting on disk at SIGTERM are delivered within Grace; without it
// they are left for the next start.
func TestBacklogFlushOnShutdown(t *testing.T) {
	for _, flush := range []bool{true, false} {
		t.Run(fmt.Sprintf("flush_on_shutdown=%v", flush), func(t *testing.T) {
			dir := t.TempDir()
			gate := make(chan struct{})
			out := &sink{block: gate}
			h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 100)}}, outputs: map[string]*sink{"o": out}}
			p, cancel, done := h.start(t, storageModel(dir, []string{"storage.max_chunks_up", "1",
				"storage.backlog.flush_on_shutdown", fmt.Sprint(flush)}, nil, nil))
			const n = 200
			for i := 0; i < n; i += 20 {
				h.inputs["a"].batches <- seq(i, i+20)
				time.Sleep(60 * time.Millisecond) // more than a Flush interval: several chunks
			}
			st := p.Metrics().Storage()[0]
			// Chunks counts the open chunk too, which shutdown seals and may
			// deliver: wait for at least two sealed chunks on disk only.
			waitFor(t, "chunks down", func() bool {
				return h.inputs["a"].emitted.Load() == n && st.Chunks.Load()-st.ChunksUp.Load() >= 3
			})
			cancel()
			close(gate)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			delivered := len(out.numbers())
			switch {
			case flush && delivered != n:
				t.Fatalf("delivered %d of %d records at shutdown", delivered, n)
			case !flush && (delivered == n || st.Chunks.Load() == 0):
				t.Fatalf("delivered %d of %d at shutdown with %d chunks left; the backlog should have been kept", delivered, n, st.Chunks.Load())
			}
		})
	}
}

// TestReplayToAnOutputNoLongerConfigured: a chunk left for an output that
// the new configuration no longer has is delivered to the outputs that
// remain and then forgotten, not kept forever.
func TestReplayToAnOutputNoLongerConfigured(t *testing.T) {
	dir := t.TempDir()
	down := &sink{failWith: func(int, *record.Chunk) error { return errors.New("down") }}
	h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int, 1)}}, outputs: map[string]*sink{"ok": {}, "gone": down}}
	m := &config.Model{Service: fastService("storage.path", dir, "Grace", "0.3")}
	m.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app", "storage.type", "filesystem"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "ok", "Match", "*", "Alias", "ok"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "gone", "Match", "*", "Alias", "gone"))
	_, cancel, done := h.start(t, m)
	h.inputs["a"].batches <- seq(0, 10)
	waitFor(t, "delivery to ok", func() bool { return len(h.outputs["ok"].numbers()) == 10 })
	waitFor(t, "a failed flush", func() bool { down.mu.Lock(); defer down.mu.Unlock(); return down.flushes > 0 })
	cancel()
	<-done

	h2 := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int)}}, outputs: map[string]*sink{"ok": {}}}
	m2 := &config.Model{Service: fastService("storage.path", dir)}
	m2.Add(section(config.KindInput, "Name", "feed", "id", "a", "Tag", "app", "storage.type", "filesystem"))
	m2.Add(section(config.KindOutput, "Name", "sink", "id", "ok", "Match", "*", "Alias", "ok"))
	p2, cancel2, done2 := h2.start(t, m2)
	st := p2.Metrics().Storage()[0]
	waitFor(t, "the orphaned chunk to be forgotten", func() bool { return st.Chunks.Load() == 0 && st.ReplayedChunks.Load() == 1 })
	cancel2()
	<-done2
	if got := h2.outputs["ok"].numbers(); len(got) != 0 {
		t.Errorf("output ok got %d records again; it had delivered them", len(got))
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "feed.0")); len(entries) != 0 {
		t.Errorf("%d files left in the store", len(entries))
	}
}
