package stdin

import "bytes"

// lineSplitter cuts a stream of reads into lines. A line that spans reads is
// gathered in a buffer that grows up to max bytes; a longer line is skipped
// whole, up to its newline, and reported.
type lineSplitter struct {
	max      int
	pending  []byte // the start of a line not ended yet
	skipping bool   // the current line outgrew max
	skipped  int    // its length so far
	lines    int64  // lines ended so far; the current line is lines+1
}

// maxKeptBuffer is the capacity of pending kept after a long line; a larger
// buffer is released, so one huge line does not hold its memory forever.
const maxKeptBuffer = 1 << 20

// feed calls line for every line that data completes, with its 1-based
// number, and oversize for every line longer than max. The slice given to
// line is valid until it returns.
func (s *lineSplitter) feed(data []byte, line func(n int64, b []byte), oversize func(n int64, size int)) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			s.hold(data)
			return
		}
		part := data[:i]
		data = data[i+1:]
		s.lines++
		switch {
		case s.skipping:
			oversize(s.lines, s.skipped+len(part))
			s.skipping, s.skipped = false, 0
		case len(s.pending)+len(part) > s.max:
			oversize(s.lines, len(s.pending)+len(part))
			s.reset()
		case len(s.pending) > 0:
			s.pending = append(s.pending, part...)
			line(s.lines, s.pending)
			s.reset()
		default:
			line(s.lines, part) // the common case: no copy
		}
	}
}

// end reports the last line when the stream ends without a newline.
func (s *lineSplitter) end(line func(n int64, b []byte), oversize func(n int64, size int)) {
	switch {
	case s.skipping:
		s.lines++
		oversize(s.lines, s.skipped)
	case len(s.pending) > 0:
		s.lines++
		line(s.lines, s.pending)
	}
	s.skipping, s.skipped = false, 0
	s.reset()
}

// hold keeps the unterminated start of a line, or starts skipping it once
// it is longer than max.
func (s *lineSplitter) hold(data []byte) {
	switch {
	case s.skipping:
		s.skipped += len(data)
	case len(s.pending)+len(data) > s.max:
		s.skipping, s.skipped = true, len(s.pending)+len(data)
		s.reset()
	default:
		s.pending = append(s.pending, data...)
	}
}

func (s *lineSplitter) reset() {
	if cap(s.pending) > maxKeptBuffer {
		s.pending = nil
		return
	}
	s.pending = s.pending[:0]
}
