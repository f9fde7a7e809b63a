package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzRecover feeds arbitrary bytes to recovery as the body of a segment
// (after the segment magic): Open must not panic or fail, and every chunk it
// recovers must read back as valid events with the record count it claims.
func FuzzRecover(f *testing.F) {
	// A real segment: two chunks, one delivered to one of its outputs.
	dir := f.TempDir()
	s, _, err := Open(Options{Dir: dir, Name: "seed", Checksum: true})
	if err != nil {
		f.Fatal(err)
	}
	a := s.Create("app", []string{"o1", "o2"})
	ev, n := events(0, 3)
	a.Append(ev, n)
	b := s.Create("sys", []string{"o1"})
	ev, n = events(3, 5)
	b.Append(ev, n)
	a.Done("o1")
	seg := s.active.path
	raw, _ := os.ReadFile(seg)
	s.Close()
	f.Add(raw[len(segmentMagic):])
	f.Add(raw[len(segmentMagic) : len(raw)-5])
	f.Add([]byte{frameMagic0, frameMagic1, byte(frameData), 0, 0xff, 0xff, 0xff, 0x00})
	f.Fuzz(func(t *testing.T, body []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, segmentName(1))
		if err := os.WriteFile(path, append([]byte(segmentMagic), body...), 0o644); err != nil {
			t.Fatal(err)
		}
		s, backlog, err := Open(Options{Dir: dir, Name: "fuzz"})
		if err != nil {
			t.Fatalf("Open failed on a corrupted segment: %v", err)
		}
		defer s.Close()
		for _, c := range backlog {
			data, err := c.Load(nil)
			if err != nil {
				t.Fatalf("recovered chunk does not load: %v", err)
			}
			if got, err := record.Count(data); err != nil || got != c.Records() {
				t.Fatalf("recovered chunk holds %d valid records (%v), claims %d", got, err, c.Records())
			}
		}
	})
}

// noSyncFS is the real file system without fsyncs, which the fuzzer does
// not need and which would make it crawl.
type noSyncFS struct{ OSFS }

type noSyncFile struct{ *os.File }

func (noSyncFile) Sync() error { return nil }

func (fs noSyncFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return noSyncFile{f}, nil
}

func (noSyncFS) SyncDir(string) error { return nil }

// fuzzChunk is what the test wrote to one chunk.
type fuzzChunk struct {
	c       *Chunk
	tag     string
	outputs []string
	numbers []int
	done    map[string]bool
	opened  bool
}

// FuzzRecoverWritten writes chunks through the store as the engine does
// (create, append numbered records, seal, done per output), driven by the
// fuzzed ops, then damages the segment and recovers it:
//   - cut short at any byte (a crash while writing), recovery gives
//     exactly the chunks and records whose frames were wholly written;
//   - with one byte changed, every record recovered is one written to that
//     chunk, in order and once, and every record of a chunk not delivered
//     whose frames all lie before the damage is recovered.
func FuzzRecoverWritten(f *testing.F) {
	f.Add([]byte{0, 4, 1, 2, 8, 3, 0x13, 7}, uint16(100), uint16(50), byte(0))
	f.Add([]byte{0, 0, 0, 1, 3, 7, 11}, uint16(0xffff), uint16(30), byte(0x20))
	f.Fuzz(func(t *testing.T, ops []byte, cut, at uint16, xor byte) {
		if len(ops) > 64 {
			return
		}
		dir := t.TempDir()
		s, _, err := Open(Options{Dir: dir, Name: "fuzz", Checksum: true, FS: noSyncFS{}})
		if err != nil {
			t.Fatal(err)
		}
		var chunks []*fuzzChunk
		var ends []int64              // segment size after each op
		var states []map[string][]int // pending tag -> records after each op
		next := 0
		state := func() map[string][]int {
			m := map[string][]int{}
			for _, c := range chunks {
				if c.opened && len(c.done) < len(c.outputs) {
					m[c.tag] = append([]int(nil), c.numbers...)
				}
			}
			return m
		}
		appendTo := func(c *fuzzChunk, k int) {
			ev, n := events(next, next+k)
			if err := c.c.Append(ev, n); err != nil {
				t.Fatal(err)
			}
			for i := next; i < next+k; i++ {
				c.numbers = append(c.numbers, i)
			}
			next += k
			c.opened = true
		}
		// A first chunk nobody delivers keeps the segment from being deleted.
		keep := &fuzzChunk{tag: "keep", outputs: []string{"o1"}, done: map[string]bool{}}
		keep.c = s.Create(keep.tag, keep.outputs)
		chunks = append(chunks, keep)
		appendTo(keep, 1)
		seg := s.active.path
		size := func() int64 {
			fi, err := os.Stat(seg)
			if err != nil {
				t.Fatal(err)
			}
			return fi.Size()
		}
		ends, states = append(ends, size()), append(states, state())
		for _, op := range ops {
			target := chunks[int(op>>3)%len(chunks)]
			switch op & 3 {
			case 0: // a new chunk
				c := &fuzzChunk{tag: fmt.Sprintf("c%d", len(chunks)), outputs: []string{"o1", "o2"}[:1+int(op>>2&1)], done: map[string]bool{}}
				c.c = s.Create(c.tag, c.outputs)
				chunks = append(chunks, c)
				appendTo(c, 1+int(op>>4)%4)
			case 1, 2: // more records
				if target == keep || target.c.sealed {
					continue
				}
				appendTo(target, 1+int(op>>2)%3)
			case 3: // an output delivered the chunk
				if target == keep {
					continue
				}
				if err := target.c.Seal(); err != nil {
					t.Fatal(err)
				}
				o := target.outputs[int(op>>2&1)%len(target.outputs)]
				target.c.Done(o)
				target.done[o] = true
			}
			if sz := size(); sz != ends[len(ends)-1] {
				ends, states = append(ends, sz), append(states, state())
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		// kept is the state after the last op written wholly before off.
		kept := func(off int64) map[string][]int {
			st := map[string][]int{}
			for i, e := range ends {
				if e <= off {
					st = states[i]
				}
			}
			return st
		}
		recoverFrom := func(data []byte) map[string][]int {
			t.Helper()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, segmentName(1)), data, 0o644); err != nil {
				t.Fatal(err)
			}
			s, backlog, err := Open(Options{Dir: dir, Name: "fuzz", FS: noSyncFS{}})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			got := map[string][]int{}
			for _, c := range backlog {
				data, err := c.Load(nil)
				if err != nil {
					t.Fatalf("chunk %s does not load: %v", c.Tag(), err)
				}
				if _, dup := got[c.Tag()]; dup {
					t.Fatalf("chunk %s recovered twice", c.Tag())
				}
				got[c.Tag()] = numbers(t, data)
				if len(got[c.Tag()]) != c.Records() {
					t.Fatalf("chunk %s claims %d records, holds %d", c.Tag(), c.Records(), len(got[c.Tag()]))
				}
			}
			return got
		}
		if got, want := recoverFrom(raw), state(); !reflect.DeepEqual(got, want) {
			t.Fatalf("undamaged: recovered %v, wrote %v", got, want)
		}
		c := int64(cut) % int64(len(raw)+1)
		if got, want := recoverFrom(raw[:c]), kept(c); !reflect.DeepEqual(got, want) {
			t.Fatalf("cut at %d of %d: recovered %v, want %v", c, len(raw), got, want)
		}
		if xor == 0 {
			return
		}
		damaged := append([]byte(nil), raw...)
		pos := int64(at) % int64(len(raw))
		damaged[pos] ^= xor
		got := recoverFrom(damaged)
		written := map[string][]int{}
		for _, c := range chunks {
			written[c.tag] = c.numbers
		}
		for tag, ns := range got {
			if !isSubsequence(ns, written[tag]) {
				t.Fatalf("byte %d changed: chunk %s recovered %v, written %v", pos, tag, ns, written[tag])
			}
		}
		if pos < int64(len(segmentMagic)) {
			return // the segment is not recognised at all
		}
		final := state()
		for tag, ns := range kept(pos) {
			if _, pending := final[tag]; pending && !isSubsequence(ns, got[tag]) {
				t.Fatalf("byte %d changed: chunk %s recovered %v, lost some of %v written before it", pos, tag, got[tag], ns)
			}
		}
	})
}

// isSubsequence reports whether a's elements appear in b in order.
func isSubsequence(a, b []int) bool {
	i := 0
	for _, x := range b {
		if i < len(a) && a[i] == x {
			i++
		}
	}
	return i == len(a)
}
