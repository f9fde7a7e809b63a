package tail

import (
	"bytes"
	"maps"
	"reflect"
	"testing"
)

// FuzzDBReplay checks that replaying any bytes never panics, that the
// valid prefix it reports, replayed again, gives the same entries, and that
// a record written after that prefix (as the DB does when it reopens a
// damaged log) is read back too.
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
		if m := d2.replay(data[:n]); m != n || !reflect.DeepEqual(d2.entries, d.entries) {
			t.Fatalf("replaying the valid prefix: %d of %d, entries %v vs %v", m, n, d2.entries, d.entries)
		}
		next := appendRecord(append([]byte(nil), data[:n]...), dbSet, fileID{7, 8}, dbEntry{name: "/next", offset: 9})
		d3 := &offsetDB{entries: map[fileID]dbEntry{}}
		if m := d3.replay(next); m != len(next) || d3.entries[fileID{7, 8}].name != "/next" {
			t.Fatalf("a record appended after the valid prefix is not replayed: %d of %d bytes", m, len(next))
		}
	})
}

// FuzzDBRoundTrip writes a log of set and delete records made from the
// fuzzed bytes, then replays it whole, cut short at a fuzzed point, and with
// one byte changed: whole, it gives exactly the entries written; damaged,
// replay stops at the start of the damaged record and keeps every record
// before it.
func FuzzDBRoundTrip(f *testing.F) {
	f.Add([]byte("\x01\x02\x03\x04/var/log/a.log\x00\x81\x02\x03\x05\x00"), uint16(20), uint16(3), byte(1))
	f.Add([]byte{}, uint16(0), uint16(0), byte(0))
	f.Fuzz(func(t *testing.T, ops []byte, cut, at uint16, xor byte) {
		var log []byte
		var ends []int // the end offset of each record
		var states []map[fileID]dbEntry
		model := map[fileID]dbEntry{}
		for len(ops) >= 4 {
			op, id := ops[0], fileID{uint64(ops[1] % 4), uint64(ops[2]) << 40}
			e := dbEntry{offset: int64(ops[3])<<56 - 1, fp: fingerprint{n: int64(ops[3]), crc: uint32(ops[1]) * 0x01000193}}
			ops = ops[4:]
			if op&1 == 1 {
				name, rest, _ := bytes.Cut(ops, []byte{0})
				e.name, ops = string(name), rest
				log = appendRecord(log, dbSet, id, e)
				model[id] = e
			} else {
				log = appendRecord(log, dbDelete, id, dbEntry{})
				delete(model, id)
			}
			ends = append(ends, len(log))
			states = append(states, maps.Clone(model))
		}
		d := &offsetDB{entries: map[fileID]dbEntry{}}
		if n := d.replay(log); n != len(log) || !reflect.DeepEqual(d.entries, model) {
			t.Fatalf("replayed %d of %d bytes: %v, wrote %v", n, len(log), d.entries, model)
		}
		// kept returns the records wholly before offset off.
		kept := func(off int) (int, map[fileID]dbEntry) {
			end, state := 0, map[fileID]dbEntry{}
			for i, e := range ends {
				if e > off {
					break
				}
				end, state = e, states[i]
			}
			return end, state
		}
		if len(log) == 0 {
			return
		}
		c := int(cut) % (len(log) + 1)
		d = &offsetDB{entries: map[fileID]dbEntry{}}
		wantN, want := kept(c)
		if n := d.replay(log[:c]); n != wantN || !reflect.DeepEqual(d.entries, want) {
			t.Fatalf("cut at %d: replayed %d bytes %v, want %d %v", c, n, d.entries, wantN, want)
		}
		if xor == 0 {
			return
		}
		damaged := append([]byte(nil), log...)
		pos := int(at) % len(log)
		damaged[pos] ^= xor
		d = &offsetDB{entries: map[fileID]dbEntry{}}
		// The damaged record is the one holding pos: everything before it stays.
		wantN, want = kept(pos)
		if n := d.replay(damaged); n != wantN || !reflect.DeepEqual(d.entries, want) {
			t.Fatalf("byte %d changed: replayed %d bytes %v, want %d %v", pos, n, d.entries, wantN, want)
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
