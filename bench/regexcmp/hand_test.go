package regexcmp

import (
	"bytes"
	"testing"
)

// handApache is a matcher specialised by hand for the combined log format:
// what the apache2 expression captures, found with bytes.IndexByte instead
// of a regexp engine. It fills idx with the submatch pairs of host, user,
// time, method, path, code, size, referer and agent, and reports whether
// the line has that shape. It exists to measure how far a general engine is
// from the cheapest possible parse; see BENCHMARKS.md.
func handApache(line []byte, idx *[18]int) bool {
	pos := 0
	field := func(n int, end byte) bool { // line[pos:] up to end into pair n
		i := bytes.IndexByte(line[pos:], end)
		if i < 0 {
			return false
		}
		idx[2*n], idx[2*n+1] = pos, pos+i
		pos += i + 1
		return true
	}
	skip := func(c byte) bool {
		if pos >= len(line) || line[pos] != c {
			return false
		}
		pos++
		return true
	}
	if !field(0, ' ') { // host
		return false
	}
	if i := bytes.IndexByte(line[pos:], ' '); i < 0 { // ident
		return false
	} else {
		pos += i + 1
	}
	if !field(1, ' ') || !skip('[') || !field(2, ']') || !skip(' ') || !skip('"') {
		return false
	}
	reqStart := pos
	q := bytes.IndexByte(line[pos:], '"')
	if q < 0 {
		return false
	}
	req := line[reqStart : reqStart+q]
	sp := bytes.IndexByte(req, ' ')
	if sp < 0 {
		idx[6], idx[7], idx[8], idx[9] = reqStart, reqStart+q, -1, -1
	} else {
		idx[6], idx[7] = reqStart, reqStart+sp
		rest := req[sp+1:]
		end := bytes.LastIndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		idx[8], idx[9] = reqStart+sp+1, reqStart+sp+1+end
	}
	pos = reqStart + q + 1
	if !skip(' ') || !field(5, ' ') {
		return false
	}
	if i := bytes.IndexByte(line[pos:], ' '); i < 0 { // size ends the line: common format
		idx[12], idx[13] = pos, len(line)
		for n := 7; n < 9; n++ {
			idx[2*n], idx[2*n+1] = -1, -1
		}
		return true
	} else {
		idx[12], idx[13] = pos, pos+i
		pos += i + 1
	}
	if !skip('"') || !field(7, '"') || !skip(' ') || !skip('"') {
		return false
	}
	if line[len(line)-1] != '"' {
		return false
	}
	idx[16], idx[17] = pos, len(line)-1
	return true
}

func TestHandApacheAgreesWithTheRegexp(t *testing.T) {
	var idx [18]int
	for _, l := range apacheLines(64) {
		if !handApache(l, &idx) {
			t.Fatalf("no match: %s", l)
		}
		if got := string(l[idx[8]:idx[9]]); len(got) == 0 || got[0] != '/' {
			t.Fatalf("path %q of %s", got, l)
		}
	}
}

func BenchmarkHand(b *testing.B) {
	lines := apacheLines(256)
	b.SetBytes(int64(len(lines[0])))
	b.ReportAllocs()
	var idx [18]int
	for i := 0; b.Loop(); i++ {
		if !handApache(lines[i%len(lines)], &idx) {
			b.Fatal("no match")
		}
	}
}
