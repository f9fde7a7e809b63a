package tail

import (
	"bytes"
	"io"
)

// Read buffer sizes. A file is read into a buffer that starts at minBlock
// and doubles while reads fill it (a file read from its head, or written
// faster than one read a pass) up to the input's largest block: at least
// maxBlock, or Buffer_Chunk_Size if larger. Reads of Fluent Bit's 32k
// default cost a system call per hundred lines, which shows at hundreds of
// MB/s; a log written at 10,000 lines a second, read a few tens of KiB a
// pass, would pin a large buffer for nothing, so the size halves again
// once a window of reads used under a quarter of it.
const (
	minBlock = 32 << 10
	maxBlock = 256 << 10
	// shrinkWindow is how many reads must all have used under a quarter
	// of the buffer before it halves.
	shrinkWindow = 256
)

// lineReader reads a file in large blocks and hands out its complete lines
// as slices of its own buffer: no line is copied. Only the unfinished line
// at the end of a block is moved to the front before the next read.
//
// The buffer is borrowed from a bufferPool while the file is read and
// handed back when it is idle (idle), the unfinished line, if any, kept
// in a small carry slice: a thousand idle files cost no read buffers. A
// line longer than the pool's size grows the reader's own buffer, up to
// twice Buffer_Max_Size; that buffer is dropped when the file is idle.
type lineReader struct {
	pool       *bufferPool
	buf        []byte
	start, end int    // buf[start:end] is read and not yet consumed
	carry      []byte // the unconsumed bytes while buf is handed back
	off        int64  // file offset of the first unconsumed byte
	maxLine    int    // longest line kept (Buffer_Max_Size)
	skipping   bool   // discarding the rest of a line longer than maxLine
}

// bufferPool sizes and recycles the read buffers of one input's files. It
// is used by one goroutine.
type bufferPool struct {
	max  int      // the largest size
	size int      // the size of the buffers handed out now
	free [][]byte // buffers of size, for reuse
	// reads and largest are the reads of the current shrink window and
	// the largest of them.
	reads, largest int
}

// newBufferPool returns a pool of buffers from minBlock up to maxBlock, or
// block if larger.
func newBufferPool(block int) *bufferPool {
	return &bufferPool{max: max(block, maxBlock), size: minBlock}
}

func (p *bufferPool) get() []byte {
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return make([]byte, p.size)
}

// put keeps a few buffers of the current size for reuse; one file is read
// at a time, so a few are all an input needs. Others are left to the GC.
func (p *bufferPool) put(b []byte) {
	if len(b) == p.size && len(p.free) < 2 {
		p.free = append(p.free, b)
	}
}

// observe adapts the size to a read of n bytes into room free bytes: a
// read that filled a room of at least half the buffer doubles it (a
// smaller room is one behind an unfinished line, and says little), a
// window of reads all under a quarter of it halves it.
func (p *bufferPool) observe(n, room int) {
	if n == 0 {
		return // the end of the file: says nothing about the rate
	}
	if n == room && 2*room >= p.size && p.size < p.max {
		p.resize(min(2*p.size, p.max))
		return
	}
	p.reads++
	p.largest = max(p.largest, n)
	if p.reads < shrinkWindow {
		return
	}
	if p.largest < p.size/4 && p.size > minBlock {
		p.resize(max(p.size/2, minBlock))
		return
	}
	p.reads, p.largest = 0, 0
}

func (p *bufferPool) resize(size int) {
	p.size = size
	clear(p.free)
	p.free = p.free[:0]
	p.reads, p.largest = 0, 0
}

func newLineReader(pool *bufferPool, maxLine int, off int64) *lineReader {
	return &lineReader{pool: pool, maxLine: maxLine, off: off}
}

// reset empties the reader and positions it at off.
func (lr *lineReader) reset(off int64) {
	lr.start, lr.end, lr.off, lr.skipping, lr.carry = 0, 0, off, false, lr.carry[:0]
}

// offset is the file offset of the first byte not yet consumed.
func (lr *lineReader) offset() int64 { return lr.off }

// readEnd is the file offset just past the last byte read.
func (lr *lineReader) readEnd() int64 { return lr.off + int64(lr.pending()) }

// pending is the number of read bytes not yet consumed: an unfinished line.
func (lr *lineReader) pending() int {
	if lr.buf == nil {
		return len(lr.carry)
	}
	return lr.end - lr.start
}

// idle hands the buffer back to the pool, keeping an unfinished line.
func (lr *lineReader) idle() {
	if lr.buf == nil {
		return
	}
	lr.carry = append(lr.carry[:0], lr.buf[lr.start:lr.end]...)
	lr.pool.put(lr.buf)
	lr.buf, lr.start, lr.end = nil, 0, 0
}

// move puts the unconsumed bytes at the front of nb and reads into nb from
// now on, handing the old buffer back.
func (lr *lineReader) move(nb []byte) {
	lr.end = copy(nb, lr.buf[lr.start:lr.end])
	lr.start = 0
	lr.pool.put(lr.buf)
	lr.buf = nb
}

// attach borrows a buffer and puts the carried bytes back in front.
func (lr *lineReader) attach() {
	lr.buf = lr.pool.get()
	if len(lr.carry) >= len(lr.buf) { // part of a long line, read into a grown buffer
		lr.pool.put(lr.buf)
		lr.buf = make([]byte, 2*len(lr.carry))
	}
	lr.start, lr.end = 0, copy(lr.buf, lr.carry)
	lr.carry = lr.carry[:0]
}

// fill reads once from r at the reader's position into the free end of the
// buffer, first moving an unfinished line to the front. It returns the
// number of bytes read; 0 with a nil error or io.EOF means nothing new.
func (lr *lineReader) fill(r io.ReaderAt) (int, error) {
	if lr.buf == nil {
		lr.attach()
	}
	if len(lr.buf) < lr.pool.size {
		lr.move(lr.pool.get()) // the pool grew: read more at once
	}
	if lr.start > 0 && (lr.start == lr.end || len(lr.buf)-lr.end < len(lr.buf)/4) {
		lr.end = copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.start = 0
	}
	if lr.end == len(lr.buf) {
		if len(lr.buf) > lr.maxLine {
			return 0, nil // a full buffer of one unfinished line; next reports it
		}
		lr.move(make([]byte, min(2*len(lr.buf), 2*lr.maxLine))) // a long line: room for Buffer_Max_Size
	}
	room := len(lr.buf) - lr.end
	n, err := r.ReadAt(lr.buf[lr.end:], lr.readEnd())
	lr.end += n
	lr.pool.observe(n, room)
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
	if lr.buf == nil {
		return nil, 0, lineNone
	}
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
	if lr.buf == nil {
		lr.attach()
	}
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
