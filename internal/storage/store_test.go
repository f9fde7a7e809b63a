package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// events encodes records {"n": from..to-1}.
func events(from, to int) ([]byte, int) {
	var b record.Builder
	for i := from; i < to; i++ {
		b.BeginEvent(record.Time(int64(i)*1e9), nil)
		b.AppendMapHeader(1)
		b.AppendString("n")
		b.AppendInt(int64(i))
	}
	return b.Bytes(), b.Records()
}

// numbers decodes the "n" of every event.
func numbers(t *testing.T, data []byte) []int {
	t.Helper()
	var out []int
	it := record.NewIterator(data)
	for it.Next() {
		v, _ := record.Lookup(it.Event().Body, "n")
		js, _, _ := record.AppendJSON(nil, v)
		n, _ := strconv.Atoi(string(js))
		out = append(out, n)
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	return out
}

func openStore(t *testing.T, dir string, mod func(*Options)) (*Store, []*Chunk) {
	t.Helper()
	opts := Options{Dir: dir, Name: "in.0", Checksum: true}
	if mod != nil {
		mod(&opts)
	}
	s, backlog, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, backlog
}

func appendRange(t *testing.T, c *Chunk, from, to int) {
	t.Helper()
	ev, n := events(from, to)
	if err := c.Append(ev, n); err != nil {
		t.Fatal(err)
	}
}

func TestReplayKeepsUndeliveredChunksPerOutput(t *testing.T) {
	for _, checksum := range []bool{true, false} {
		t.Run("checksum="+strconv.FormatBool(checksum), func(t *testing.T) {
			dir := t.TempDir()
			s, backlog := openStore(t, dir, func(o *Options) { o.Checksum = checksum })
			if len(backlog) != 0 {
				t.Fatalf("fresh store has backlog %d", len(backlog))
			}
			a := s.Create("app", []string{"out.a", "out.b"})
			appendRange(t, a, 0, 10)
			appendRange(t, a, 10, 20)
			b := s.Create("sys", []string{"out.a"})
			appendRange(t, b, 100, 105)
			c := s.Create("app", []string{"out.b"})
			appendRange(t, c, 200, 203)
			a.Done("out.a")
			b.Done("out.a") // b complete
			// crash: no Close
			s2, backlog := openStore(t, dir, func(o *Options) { o.Checksum = checksum })
			_ = s2
			if len(backlog) != 2 {
				t.Fatalf("backlog has %d chunks, want 2", len(backlog))
			}
			if got := backlog[0].Pending(); len(got) != 1 || got[0] != "out.b" {
				t.Fatalf("chunk a pending %v, want [out.b]", got)
			}
			data, err := backlog[0].Load(nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := numbers(t, data); len(got) != 20 || got[0] != 0 || got[19] != 19 {
				t.Fatalf("chunk a replayed %v", got)
			}
			if backlog[0].Tag() != "app" || backlog[0].Records() != 20 {
				t.Fatalf("chunk a: tag %q records %d", backlog[0].Tag(), backlog[0].Records())
			}
			data, _ = backlog[1].Load(nil)
			if got := numbers(t, data); len(got) != 3 || got[0] != 200 {
				t.Fatalf("chunk c replayed %v", got)
			}
			// New chunks get new ids after the replayed ones.
			d := s2.Create("app", []string{"out.a"})
			appendRange(t, d, 300, 301)
			for _, c := range backlog {
				for _, o := range c.Pending() {
					c.Done(o)
				}
			}
			d.Done("out.a")
			if err := s2.Close(); err != nil {
				t.Fatal(err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("a store with everything delivered left %d files", len(entries))
			}
		})
	}
}

func TestSegmentsAreDeletedOnceDelivered(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, func(o *Options) { o.SegmentSize = 1024 })
	var chunks []*Chunk
	for i := range 20 {
		c := s.Create("t", []string{"o"})
		appendRange(t, c, i*10, i*10+10)
		chunks = append(chunks, c)
	}
	if n := s.metrics.Segments.Load(); n < 3 {
		t.Fatalf("expected several segments, got %d", n)
	}
	chunks[1].Done("o") // out of order: segment 1 is kept for chunk 0
	before := s.metrics.Segments.Load()
	for _, c := range chunks[2:] {
		c.Done("o")
	}
	if s.metrics.Segments.Load() != before {
		t.Fatalf("segments deleted before the oldest chunk was delivered")
	}
	chunks[0].Done("o")
	if n := s.metrics.Segments.Load(); n != 1 {
		t.Fatalf("%d segments left, want only the active one", n)
	}
	s2, backlog := openStore(t, dir, nil)
	_ = s2
	if len(backlog) != 0 {
		t.Fatalf("delivered chunks replayed: %d", len(backlog))
	}
}

func TestRecoverySkipsCorruptionAndTruncation(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	var chunks []*Chunk
	for i := range 3 {
		c := s.Create("t", []string{"o"})
		appendRange(t, c, i*10, i*10+10)
		chunks = append(chunks, c)
	}
	seg := s.active.path
	second := chunks[1].frames[0].off
	last := chunks[2].frames[0].off
	s.Close()
	raw, _ := os.ReadFile(seg)
	raw[second+frameHeaderSize+dataHeaderSize+5] ^= 0xFF // flip a byte inside chunk 1's events
	raw = raw[:last+frameHeaderSize+7]                   // chunk 2's data frame cut short
	os.WriteFile(seg, raw, 0o644)

	var logs bytes.Buffer
	s2, backlog := openStore(t, dir, func(o *Options) { o.Logger = testLogger(&logs) })
	if len(backlog) != 1 {
		t.Fatalf("backlog %d chunks, want only chunk 0", len(backlog))
	}
	data, _ := backlog[0].Load(nil)
	if got := numbers(t, data); len(got) != 10 || got[0] != 0 {
		t.Fatalf("chunk 0 replayed %v", got)
	}
	if s2.metrics.CorruptFrames.Load() != 2 {
		t.Fatalf("corrupt frames %d, want 2", s2.metrics.CorruptFrames.Load())
	}
	for _, want := range []string{"CRC-32C mismatch", "offset=" + strconv.FormatInt(second, 10), filepath.Base(seg), "truncated frame"} {
		if !bytes.Contains(logs.Bytes(), []byte(want)) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}
}

// faultFS fails writes once budget bytes have been written.
type faultFS struct {
	OSFS
	mu     sync.Mutex
	budget int64
}

type faultFile struct {
	File
	fs *faultFS
}

var errNoSpace = errors.New("no space left on device (injected)")

func (f *faultFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	file, err := f.OSFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFile) Write(b []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if int64(len(b)) > f.fs.budget {
		n, _ := f.File.Write(b[:f.fs.budget]) // a partial write, as a full disk does
		f.fs.budget = 0
		return n, errNoSpace
	}
	f.fs.budget -= int64(len(b))
	return f.File.Write(b)
}

func TestFailedWriteLeavesNoPartialFrame(t *testing.T) {
	dir := t.TempDir()
	fs := &faultFS{budget: 700}
	s, _ := openStore(t, dir, func(o *Options) { o.FS = fs })
	c := s.Create("t", []string{"o"})
	appendRange(t, c, 0, 10)
	ev, n := events(10, 40)
	if err := c.Append(ev, n); !errors.Is(err, errNoSpace) {
		t.Fatalf("append on a full disk: %v", err)
	}
	fs.mu.Lock()
	fs.budget = 1 << 20
	fs.mu.Unlock()
	if err := c.Append(ev, n); err != nil {
		t.Fatal(err)
	}
	s2, backlog := openStore(t, dir, nil)
	if len(backlog) != 1 || s2.metrics.CorruptFrames.Load() != 0 {
		t.Fatalf("backlog %d, corrupt frames %d", len(backlog), s2.metrics.CorruptFrames.Load())
	}
	data, _ := backlog[0].Load(nil)
	if got := numbers(t, data); len(got) != 40 || got[39] != 39 {
		t.Fatalf("replayed %d records", len(got))
	}
}

func TestTotalLimitEvictsOldestOnDiskChunks(t *testing.T) {
	dir := t.TempDir()
	limit := &OutputLimit{Limit: 1000}
	var evicted []int
	s, _ := openStore(t, dir, func(o *Options) {
		o.Limits = map[string]*OutputLimit{"o": limit}
		o.OnEvict = func(output, tag string, records int) { evicted = append(evicted, records) }
	})
	var chunks []*Chunk
	for i := range 10 {
		c := s.Create("t", []string{"o", "other"})
		appendRange(t, c, i*10, i*10+10)
		c.SetInMemory(false)
		chunks = append(chunks, c)
	}
	if used := limit.Used(); used > 1000 {
		t.Fatalf("used %d over the limit", used)
	}
	if len(evicted) == 0 {
		t.Fatal("nothing evicted")
	}
	if p := chunks[0].Pending(); len(p) != 1 || p[0] != "other" {
		t.Fatalf("oldest chunk still pending for %v", p)
	}
	if p := chunks[9].Pending(); len(p) != 2 {
		t.Fatalf("newest chunk pending for %v", p)
	}
}
