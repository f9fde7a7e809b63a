package tail

import (
	"bytes"
	"testing"
)

// FuzzDBReplay checks that replaying any bytes never panics and that the
// valid prefix it reports, replayed again, gives the same entries.
func FuzzDBReplay(f *testing.F) {
	f.Add(appendRecord(appendRecord(nil, dbSet, fileID{1, 2}, dbEntry{name: "/a", offset: 5}), dbDelete, fileID{1, 2}, dbEntry{}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		d := &offsetDB{entries: map[fileID]dbEntry{}}
		n := d.replay(data)
		if n > len(data) {
			t.Fatalf("valid prefix %d > %d", n, len(data))
		}
		d2 := &offsetDB{entries: map[fileID]dbEntry{}}
		if m := d2.replay(data[:n]); m != n || len(d2.entries) != len(d.entries) {
			t.Fatalf("replaying the valid prefix: %d of %d, %d entries vs %d", m, n, len(d2.entries), len(d.entries))
		}
	})
}

// FuzzLineReader checks the reader against bytes.Split on any content and
// any read size: the same lines, in order, at the right offsets.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("a\nbb\r\n\nccc"), uint16(3))
	f.Add(bytes.Repeat([]byte("0123456789\n"), 1000), uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, step uint16) {
		if step == 0 {
			step = 1
		}
		g := &growing{}
		lr := newLineReader(newBufferPool(0), 1<<20, 0)
		var got [][]byte
		for i := 0; i < len(data); i += int(step) {
			g.data = data[:min(len(data), i+int(step))]
			for {
				n, _ := lr.fill(g)
				for {
					line, at, res := lr.next(false)
					if res != lineOK {
						break
					}
					if !bytes.HasPrefix(data[at:], line) {
						t.Fatalf("line %q not at offset %d", line, at)
					}
					got = append(got, append([]byte(nil), line...)) // line is valid until the next fill
				}
				if n == 0 {
					break
				}
			}
			if i%3 == 0 {
				lr.idle() // as between passes, with or without a line half read
			}
		}
		want := bytes.Split(data, []byte("\n"))
		want = want[:len(want)-1] // the unfinished last line is not a line yet
		if len(got) != len(want) {
			t.Fatalf("%d lines, want %d", len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], bytes.TrimSuffix(want[i], []byte("\r"))) {
				t.Fatalf("line %d: %q, want %q", i, got[i], want[i])
			}
		}
	})
}
