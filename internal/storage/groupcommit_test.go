package storage

import (
	"errors"
	"os"
	"sync"
	"testing"
)

// gatedFS blocks every fsync until the test lets it go, and counts them.
type gatedFS struct {
	OSFS
	started chan struct{} // one send per fsync begun
	release chan error    // one receive per fsync: its result
	mu      sync.Mutex
	syncs   int
	opened  bool // fsyncs pass without the gate (the test's end)
}

type gatedFile struct {
	File
	fs *gatedFS
}

func (f *gatedFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	file, err := f.OSFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &gatedFile{File: file, fs: f}, nil
}

func (f *gatedFile) Sync() error {
	f.fs.mu.Lock()
	opened := f.fs.opened
	f.fs.mu.Unlock()
	if !opened {
		f.fs.started <- struct{}{}
		if err := <-f.fs.release; err != nil {
			return err
		}
	}
	f.fs.mu.Lock()
	f.fs.syncs++
	f.fs.mu.Unlock()
	return f.File.Sync()
}

func waitAsync(s *Store, d Durable) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.WaitDurable(d) }()
	return done
}

func TestGroupCommitSharesFsyncs(t *testing.T) {
	fs := &gatedFS{started: make(chan struct{}), release: make(chan error)}
	s, _ := openStore(t, t.TempDir(), func(o *Options) { o.FS = fs; o.Sync = SyncFull })
	c := s.Create("t", []string{"o"})
	ev, n := events(0, 10)

	d1, err := c.Write(ev, n)
	if err != nil || d1 == 0 {
		t.Fatalf("write: %v, durable %d", err, d1)
	}
	first := waitAsync(s, d1)
	<-fs.started // the first writer fsyncs; the store's lock is free meanwhile

	d2, err := c.Write(ev, n)
	if err != nil {
		t.Fatal(err)
	}
	d3, err := c.Write(ev, n)
	if err != nil {
		t.Fatal(err)
	}
	second, third := waitAsync(s, d2), waitAsync(s, d3)
	select {
	case err := <-second:
		t.Fatalf("a write made after the running fsync began was reported durable (%v)", err)
	case err := <-third:
		t.Fatalf("a write made after the running fsync began was reported durable (%v)", err)
	default:
	}
	fs.release <- nil
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-fs.started // one fsync for both later writers
	fs.release <- nil
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if err := <-third; err != nil {
		t.Fatal(err)
	}
	if fs.syncs != 2 {
		t.Fatalf("%d fsyncs for three writes, want 2 (the last two shared one)", fs.syncs)
	}
	if err := s.WaitDurable(d3); err != nil { // already durable: no fsync
		t.Fatal(err)
	}
	if fs.syncs != 2 {
		t.Fatalf("waiting again fsynced again (%d)", fs.syncs)
	}
	fs.open()
}

func (f *gatedFS) open() {
	f.mu.Lock()
	f.opened = true
	f.mu.Unlock()
}

func TestGroupCommitFailedFsyncIsRetriedNotRewritten(t *testing.T) {
	fs := &gatedFS{started: make(chan struct{}, 4), release: make(chan error, 4)}
	dir := t.TempDir()
	s, _ := openStore(t, dir, func(o *Options) { o.FS = fs; o.Sync = SyncFull })
	c := s.Create("t", []string{"o"})
	ev, n := events(0, 10)
	injected := errors.New("EIO (injected)")
	fs.release <- injected
	if err := c.Append(ev, n); !errors.Is(err, injected) {
		t.Fatalf("append with a failing fsync: %v", err)
	}
	fs.release <- nil
	if err := s.Sync(); err != nil { // the retry covers the frame already written
		t.Fatal(err)
	}
	fs.open()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, backlog := openStore(t, dir, nil)
	if len(backlog) != 1 {
		t.Fatalf("backlog of %d chunks", len(backlog))
	}
	data, err := backlog[0].Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := numbers(t, data); len(got) != 10 {
		t.Fatalf("replayed %d records, want the 10 written once", len(got))
	}
}

func TestSyncNormalWritesNeedNoWait(t *testing.T) {
	fs := &gatedFS{opened: true}
	s, _ := openStore(t, t.TempDir(), func(o *Options) { o.FS = fs })
	c := s.Create("t", []string{"o"})
	ev, n := events(0, 10)
	d, err := c.Write(ev, n)
	if err != nil || d != 0 {
		t.Fatalf("write: %v, durable %d (want 0: nothing to wait for)", err, d)
	}
	if err := s.WaitDurable(d); err != nil || fs.syncs != 0 {
		t.Fatalf("wait: %v, %d fsyncs", err, fs.syncs)
	}
}
