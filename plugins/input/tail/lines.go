package tail

import (
	"bytes"
	"io"
)

// minBlock is the smallest read: reads of Fluent Bit's 32k default cost a
// system call per few hundred lines, which dominates at high rates.
const minBlock = 256 << 10

// lineReader reads a file in large blocks and hands out its complete lines
// as slices of its own buffer: no line is copied. Only the unfinished line
// at the end of a block is moved to the front before the next read.
type lineReader struct {
	buf        []byte
	start, end int   // buf[start:end] is read and not yet consumed
	off        int64 // file offset of buf[start]
	maxLine    int   // longest line kept (Buffer_Max_Size)
	skipping   bool  // discarding the rest of a line longer than maxLine
}

func newLineReader(block, maxLine int, off int64) *lineReader {
	if block < minBlock {
		block = minBlock
	}
	if block < 2*maxLine {
		block = 2 * maxLine
	}
	return &lineReader{buf: make([]byte, block), maxLine: maxLine, off: off}
}

// reset empties the buffer and positions the reader at off.
func (lr *lineReader) reset(off int64) {
	lr.start, lr.end, lr.off, lr.skipping = 0, 0, off, false
}

// offset is the file offset of the first byte not yet consumed.
func (lr *lineReader) offset() int64 { return lr.off }

// readEnd is the file offset just past the last byte read.
func (lr *lineReader) readEnd() int64 { return lr.off + int64(lr.end-lr.start) }

// pending is the number of read bytes not yet consumed: an unfinished line.
func (lr *lineReader) pending() int { return lr.end - lr.start }

// fill reads once from r at the reader's position into the free end of the
// buffer, first moving an unfinished line to the front. It returns the
// number of bytes read; 0 with a nil error or io.EOF means nothing new.
func (lr *lineReader) fill(r io.ReaderAt) (int, error) {
	if lr.start > 0 && (lr.start == lr.end || len(lr.buf)-lr.end < len(lr.buf)/4) {
		lr.end = copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.start = 0
	}
	if lr.end == len(lr.buf) {
		return 0, nil // a full buffer of one unfinished line; next reports it
	}
	n, err := r.ReadAt(lr.buf[lr.end:], lr.readEnd())
	lr.end += n
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// lineResult says what next found.
type lineResult uint8

const (
	lineNone lineResult = iota // no complete line buffered
	lineOK                     // a complete line
	lineLong                   // a line longer than maxLine began here (skipped or fatal, the caller decides)
)

// next returns the next complete line without its newline (and without a
// trailing carriage return) and the file offset of its first byte. A line
// that would exceed maxLine is reported once as lineLong; when skip is
// set its bytes are then discarded up to its newline.
func (lr *lineReader) next(skip bool) (line []byte, at int64, res lineResult) {
	for lr.skipping {
		i := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n')
		if i < 0 {
			lr.consume(lr.end - lr.start)
			return nil, 0, lineNone
		}
		lr.consume(i + 1)
		lr.skipping = false
	}
	data := lr.buf[lr.start:lr.end]
	i := bytes.IndexByte(data, '\n')
	if i < 0 || i > lr.maxLine {
		if i < 0 && len(data) <= lr.maxLine {
			return nil, 0, lineNone
		}
		at = lr.off
		if skip {
			lr.skipping = true
			if i >= 0 {
				lr.consume(i + 1)
				lr.skipping = false
			} else {
				lr.consume(len(data))
			}
		}
		return nil, at, lineLong
	}
	line, at = data[:i], lr.off
	lr.consume(i + 1)
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, at, lineOK
}

// rest returns the unfinished line, consuming it: what is left of a file
// that will not grow any more.
func (lr *lineReader) rest() (line []byte, at int64) {
	if lr.skipping || lr.start == lr.end {
		lr.consume(lr.end - lr.start)
		return nil, 0
	}
	line, at = lr.buf[lr.start:lr.end], lr.off
	lr.consume(len(line))
	return line, at
}

func (lr *lineReader) consume(n int) {
	lr.start += n
	lr.off += int64(n)
}
