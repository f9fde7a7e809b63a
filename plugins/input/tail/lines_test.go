package tail

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// growing is a file that grows between reads, as a written log does.
type growing struct{ data []byte }

func (g *growing) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(g.data)) {
		return 0, nil
	}
	return copy(p, g.data[off:]), nil
}

// readAll feeds chunks to a lineReader, one fill per chunk, and returns
// the lines (long ones as "<long@offset>") and their offsets.
func readAll(t *testing.T, maxLine int, skip bool, chunks ...string) []string {
	t.Helper()
	g := &growing{}
	lr := newLineReader(newBufferPool(0), maxLine, 0)
	var out []string
	for _, c := range chunks {
		g.data = append(g.data, c...)
		for {
			n, err := lr.fill(g)
			if err != nil {
				t.Fatal(err)
			}
			for {
				line, at, res := lr.next(skip)
				if res == lineNone {
					break
				}
				if res == lineLong {
					out = append(out, "<long@"+itoa(at)+">")
					if !skip {
						return out
					}
					continue
				}
				out = append(out, string(line)+"@"+itoa(at))
			}
			if n == 0 {
				break
			}
		}
	}
	return out
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", 2000)
	tests := []struct {
		name    string
		maxLine int
		skip    bool
		chunks  []string
		want    []string
	}{
		{"lines and offsets", 1024, false, []string{"a\nbb\n\nccc\n"}, []string{"a@0", "bb@2", "@5", "ccc@6"}},
		{"a line split across writes waits for its newline", 1024, false, []string{"he", "llo", "\nnext"}, []string{"hello@0"}},
		{"carriage return dropped", 1024, false, []string{"dos\r\nline\r\n"}, []string{"dos@0", "line@5"}},
		{"long line skipped up to its newline", 1024, true, []string{"ok\n" + long + "\nafter\n"}, []string{"ok@0", "<long@3>", "after@2004"}},
		{"long line skipped across reads", 1024, true, []string{"ok\n" + long[:1500], long[1500:] + "\nafter\n"}, []string{"ok@0", "<long@3>", "after@2004"}},
		{"long line stops the reader", 1024, false, []string{long + "\nafter\n"}, []string{"<long@0>"}},
		{"line of exactly maxLine", 1024, false, []string{strings.Repeat("y", 1024) + "\n"}, []string{strings.Repeat("y", 1024) + "@0"}},
		{"line longer than the first buffer grows it", 300 << 10, false,
			[]string{"a\n" + strings.Repeat("z", 100<<10), strings.Repeat("z", 100<<10) + "\nb\n"},
			[]string{"a@0", strings.Repeat("z", 200<<10) + "@2", "b@" + itoa(2+200<<10+1)}},
		{"line longer than the largest block, up to maxLine", 600 << 10, false,
			[]string{strings.Repeat("w", 500<<10) + "\n"}, []string{strings.Repeat("w", 500<<10) + "@0"}},
		{"long line beyond a grown buffer still stops the reader", 100 << 10, false,
			[]string{strings.Repeat("v", 300<<10) + "\n"}, []string{"<long@0>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, tt.maxLine, tt.skip, tt.chunks...)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestLineReaderManyBlocks reads more than a buffer of lines and checks
// every line and offset comes out once, in order.
func TestLineReaderManyBlocks(t *testing.T) {
	var buf bytes.Buffer
	var want []string
	for i := 0; i < 50000; i++ {
		at := int64(buf.Len())
		line := "line " + itoa(int64(i)) + strings.Repeat(".", i%97)
		buf.WriteString(line + "\n")
		want = append(want, line+"@"+itoa(at))
	}
	got := readAll(t, 4096, false, buf.String())
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestLineReaderRest(t *testing.T) {
	lr := newLineReader(newBufferPool(0), 1024, 10)
	g := &growing{data: append(make([]byte, 10), "done\nunfinished"...)}
	lr.fill(g)
	if line, at, _ := lr.next(false); string(line) != "done" || at != 10 {
		t.Fatalf("next = %q@%d", line, at)
	}
	if _, _, res := lr.next(false); res != lineNone {
		t.Fatalf("unfinished line returned")
	}
	if line, at := lr.rest(); string(line) != "unfinished" || at != 15 || lr.offset() != 25 {
		t.Fatalf("rest = %q@%d offset %d", line, at, lr.offset())
	}
}

// TestLineReaderIdle hands the buffer back with half a line read and
// checks the line is whole after the next read.
func TestLineReaderIdle(t *testing.T) {
	pool := newBufferPool(0)
	lr := newLineReader(pool, 1024, 0)
	g := &growing{data: []byte("first\nhalf a ")}
	lr.fill(g)
	if line, _, _ := lr.next(false); string(line) != "first" {
		t.Fatalf("next = %q", line)
	}
	lr.idle()
	if lr.buf != nil || len(pool.free) != 1 || lr.readEnd() != 13 || lr.pending() != 7 {
		t.Fatalf("after idle: buf %v, free %d, readEnd %d, pending %d", lr.buf != nil, len(pool.free), lr.readEnd(), lr.pending())
	}
	g.data = append(g.data, "line\n"...)
	lr.fill(g)
	if line, at, _ := lr.next(false); string(line) != "half a line" || at != 6 {
		t.Fatalf("next = %q@%d", line, at)
	}
}

// TestLineReaderIdleLongLine hands the buffer back with more of a line
// read than the pool's largest buffer holds, and checks the line is whole after
// the next read.
func TestLineReaderIdleLongLine(t *testing.T) {
	pool := newBufferPool(0)
	lr := newLineReader(pool, 1<<20, 0)
	g := &growing{data: []byte(strings.Repeat("q", 400<<10))}
	for {
		if n, _ := lr.fill(g); n == 0 {
			break
		}
	}
	lr.idle()
	if lr.pending() != 400<<10 {
		t.Fatalf("pending %d after idle", lr.pending())
	}
	lr.attach()
	if lr.pending() != 400<<10 {
		t.Fatalf("pending %d after attach: the carried bytes must not be cut to the pool's size", lr.pending())
	}
	g.data = append(g.data, "\n"...)
	lr.fill(g)
	if line, at, res := lr.next(false); res != lineOK || len(line) != 400<<10 || at != 0 {
		t.Fatalf("next = %d bytes @%d (%v)", len(line), at, res)
	}
}

// TestBufferPoolAdapts checks the read size doubles while reads fill
// their room, up to the largest block, and halves after a window of small
// reads, down to minBlock.
func TestBufferPoolAdapts(t *testing.T) {
	tests := []struct {
		name  string
		block int
		reads [][2]int // n, room
		want  int
	}{
		{"starts small", 0, nil, minBlock},
		{"a read that fills its room doubles", 0, [][2]int{{minBlock, minBlock}}, 2 * minBlock},
		{"up to maxBlock", 0, repeat([2]int{1 << 20, 1 << 20}, 20), maxBlock},
		{"up to Buffer_Chunk_Size when larger", 1 << 20, repeat([2]int{1 << 30, 1 << 30}, 20), 1 << 20},
		{"end-of-file reads change nothing", 0, repeat([2]int{0, minBlock}, 1000), minBlock},
		{"filling a room behind an unfinished line changes nothing", 0, repeat([2]int{minBlock/2 - 1, minBlock/2 - 1}, 1000), minBlock},
		{"a steady rate settles: no doubling and halving in turn", 0, append([][2]int{{minBlock, minBlock}},
			alternate([2]int{25 << 10, 60 << 10}, [2]int{20 << 10, 20 << 10}, 10*shrinkWindow)...), 2 * minBlock},
		{"a window of small reads halves", 0, append([][2]int{{minBlock, minBlock}, {2 * minBlock, 2 * minBlock}},
			repeat([2]int{100, 4 * minBlock}, shrinkWindow)...), 2 * minBlock},
		{"reads of a quarter keep the size", 0, append([][2]int{{minBlock, minBlock}},
			repeat([2]int{minBlock / 2, 2 * minBlock}, 10*shrinkWindow)...), 2 * minBlock},
		{"never below minBlock", 0, repeat([2]int{1, minBlock}, 10*shrinkWindow), minBlock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newBufferPool(tt.block)
			for _, r := range tt.reads {
				p.observe(r[0], r[1])
			}
			if p.size != tt.want {
				t.Errorf("size %d, want %d", p.size, tt.want)
			}
			if b := p.get(); len(b) != tt.want {
				t.Errorf("get: %d bytes, want %d", len(b), tt.want)
			}
		})
	}
}

func repeat(r [2]int, n int) [][2]int {
	out := make([][2]int, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func alternate(a, b [2]int, n int) [][2]int {
	out := make([][2]int, n)
	for i := range out {
		out[i] = a
		if i%2 == 1 {
			out[i] = b
		}
	}
	return out
}
