package tail

import (
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sluice-logs/sluice/internal/multiline"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// fingerprintSize is how much of a file's head identifies it.
const fingerprintSize = 1024

// tailedFile is one followed file, open from discovery until it is
// closed after rotation or deletion.
type tailedFile struct {
	id        fileID
	name      string // the path it was last found at
	tag       string
	f         *os.File
	lr        *lineReader
	committed int64 // offset stored in the DB: Sluice is done with every line before it
	fp        fingerprint
	rotated   time.Time // when it left its path; zero while it is there
	joiner    *multiline.Joiner
	dirty     bool        // a write event named it, or its last read stopped at passBudget
	inflight  []*ackEntry // batches emitted and not yet acknowledged, oldest first
	gen       int         // truncations so far: acknowledgements of older batches store nothing
	finished  bool        // rotated, Rotate_Wait over, read to its end: closed once inflight is empty
	closed    bool        // done with: to be forgotten
	stopped   bool        // given up on (a line too long): kept so scans skip it until it leaves its path
}

// idOf returns a file's identity from its stat.
func idOf(fi os.FileInfo) fileID {
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{dev: uint64(s.Dev), ino: uint64(s.Ino)}
	}
	return fileID{}
}

// open starts following a newly found file.
func (st *runState) open(path string, id fileID, initial bool) {
	f, size, ok := st.openFile(path, id)
	if !ok {
		return
	}
	var off int64
	how := "from its beginning"
	if e, ok := st.dbLookup(id, f); ok {
		off, how = e.offset, "from its offset in the DB"
		if off > size {
			off, how = 0, "from its beginning: it is shorter than its offset in the DB"
		}
	} else if initial && !st.in.readFromHead && !st.createdWhileDown(f) {
		off, how = size, "from its end (Read_from_Head is off)"
	}
	st.follow(path, path, id, f, off)
	st.in.logger.Info("following file "+how, "path", path, "offset", off)
}

// createdWhileDown reports whether f, found at start-up with no DB entry,
// changed after the DB was last written, that is, after Sluice last ran:
// a file created while Sluice was down is read from its beginning, so
// that a restart misses none of its lines whatever Read_from_Head says.
func (st *runState) createdWhileDown(f *os.File) bool {
	if st.db == nil || st.db.lastRun.IsZero() {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	s, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	return !time.Unix(s.Ctim.Sec, s.Ctim.Nsec).Before(st.db.lastRun)
}

// openRecovered follows a file found under a new name at start-up.
func (st *runState) openRecovered(path string, id fileID, e dbEntry) *tailedFile {
	f, size, ok := st.openFile(path, id)
	if !ok {
		return nil
	}
	if _, ok := st.dbLookup(id, f); !ok || e.offset > size {
		f.Close()
		return nil
	}
	t := st.follow(path, e.name, id, f, e.offset)
	t.rotated = time.Now()
	st.in.logger.Info("following rotated file to its end from its offset in the DB", "path", path, "was", e.name, "offset", e.offset)
	return t
}

// openFile opens path and checks it is still the file id.
func (st *runState) openFile(path string, id fileID) (*os.File, int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		if !os.IsNotExist(err) {
			st.in.logger.Warn("cannot open file; it is not followed", "path", path, "error", err)
		}
		return nil, 0, false
	}
	fi, err := f.Stat()
	if err != nil || idOf(fi) != id {
		f.Close() // replaced between the scan and the open: the next scan finds it
		return nil, 0, false
	}
	return f, fi.Size(), true
}

// dbLookup returns the DB entry of the file open as f, if its fingerprint
// shows it is the same file and not a later one that reused the inode.
func (st *runState) dbLookup(id fileID, f *os.File) (dbEntry, bool) {
	if st.db == nil {
		return dbEntry{}, false
	}
	e, ok := st.db.lookup(id)
	if !ok {
		return e, false
	}
	if fp, err := fingerprintOf(f, e.fp.n); err != nil || fp != e.fp {
		st.in.logger.Info("file reuses the inode of a file in the DB; reading it as a new file", "path", e.name)
		return e, false
	}
	return e, true
}

// fingerprintOf checksums the first n (at most fingerprintSize) bytes of f.
func fingerprintOf(f *os.File, n int64) (fingerprint, error) {
	var buf [fingerprintSize]byte
	return extendFingerprint(f, fingerprint{}, n, &buf)
}

// extendFingerprint extends fp, the checksum of f's first fp.n bytes, to
// up to n bytes, reading only the bytes it does not cover yet (CRC-32 can
// be continued), so a short file that grows line by line is not read from
// its start at each offset commit.
// buf is the caller's scratch space.
func extendFingerprint(f *os.File, fp fingerprint, n int64, buf *[fingerprintSize]byte) (fingerprint, error) {
	want := min(n, fingerprintSize) - fp.n
	if want <= 0 {
		return fp, nil
	}
	got, err := f.ReadAt(buf[:want], fp.n)
	if err != nil && err != io.EOF {
		return fp, err
	}
	return fingerprint{n: fp.n + int64(got), crc: crc32.Update(fp.crc, crc32.IEEETable, buf[:got])}, nil
}

// follow registers an open file read from off; tagPath is the path its
// tag is made from.
func (st *runState) follow(path, tagPath string, id fileID, f *os.File, off int64) *tailedFile {
	tag := expandTag(st.in.tag, tagPath)
	if st.in.tagRegex != nil {
		tag = st.in.tagRegex.expand(st.in.tag, tagPath)
	}
	t := &tailedFile{id: id, name: path, tag: tag, f: f,
		lr: newLineReader(st.buffers, st.in.maxLine, off), committed: -1}
	if len(st.in.parsers) > 0 {
		t.joiner = multiline.NewJoiner(st.in.parsers, func(r *multiline.Record) {
			st.appendRecord(t, r.Time, r.Log, r.Mark, r.Format, r.Stream)
		})
	}
	st.files[id] = t
	st.byName[path] = t
	st.watch(filepath.Dir(path))
	if real, err := filepath.EvalSymlinks(path); err == nil {
		st.byName[real] = t
		st.watch(filepath.Dir(real))
	}
	if err := st.commit(t); err != nil {
		st.in.logger.Error("offsets DB: write failed", "error", err)
	}
	return t
}

// batchTarget is the size at which a batch is emitted before the read
// that filled it is done: the batch's buffer, kept by the input, stays
// small after a large read (a file read from its head).
const batchTarget = 128 << 10

// readFile reads t from its offset, emitting its lines after each block,
// until its end or passBudget (more is then true). An error is an Emit
// error; read errors stop following the file.
func (st *runState) readFile(t *tailedFile) (more bool, err error) {
	if t.closed || t.stopped {
		return false, nil
	}
	for read := 0; read < passBudget; {
		n, rerr := t.lr.fill(t.f)
		read += n
		st.now = record.Now()
		for {
			line, at, res := t.lr.next(st.in.skipLong)
			if res == lineNone {
				break
			}
			if res == lineLong {
				if st.in.skipLong {
					st.in.drops.Drop(t.tag, plugin.ReasonOversize, 1, fmt.Errorf("tail %s: line at offset %d of %s skipped: longer than Buffer_Max_Size (%d bytes); raise Buffer_Max_Size to read such lines",
						st.in.id, at, t.name, st.in.maxLine))
					continue
				}
				st.in.drops.Drop(t.tag, plugin.ReasonOversize, 1, fmt.Errorf("tail %s: %s no longer followed from offset %d: a line is longer than Buffer_Max_Size (%d bytes); raise Buffer_Max_Size or set Skip_Long_Lines on",
					st.in.id, t.name, at, st.in.maxLine))
				if err := st.flush(t); err != nil {
					return false, err
				}
				t.stopped = true
				t.f.Close()
				t.lr.idle()
				return false, nil
			}
			st.line(t, line, at)
			if st.batch.Size() >= batchTarget {
				if err := st.flush(t); err != nil {
					return false, err
				}
			}
		}
		if err := st.flush(t); err != nil {
			return false, err
		}
		if rerr != nil {
			st.in.logger.Error("file no longer followed: read failed", "path", t.name, "error", rerr)
			st.closeFile(t)
			return false, nil
		}
		if n == 0 {
			t.lr.idle()
			return false, nil
		}
	}
	return true, nil
}

// line handles one complete line read at offset at.
func (st *runState) line(t *tailedFile, line []byte, at int64) {
	if len(line) == 0 && st.in.skipEmpty {
		return
	}
	if t.joiner != nil {
		t.joiner.Feed("", line, st.now, at)
		return
	}
	st.appendRecord(t, st.now, line, at, 0, "")
}

// appendRecord encodes one record into the batch: the text under Key, or
// the map Parser makes of it (timed by the time it read, if any); then the
// container stream, Path_Key and Offset_Key.
func (st *runState) appendRecord(t *tailedFile, tm record.Time, log []byte, at int64, format multiline.Kind, stream string) {
	extra := 0
	if format != 0 {
		extra++
		if format == multiline.KindCRI {
			extra++
		}
	}
	if st.in.pathKey != "" {
		extra++
	}
	if st.in.offsetKey != "" {
		extra++
	}
	b := &st.batch
	if body, n, ok := st.parse(log, &tm); ok {
		b.BeginEvent(tm, nil)
		b.AppendMapHeader(n + extra)
		b.AppendRawValue(body)
	} else {
		b.BeginEvent(tm, nil)
		b.AppendMapHeader(1 + extra)
		b.AppendString(st.in.key)
		b.AppendStringBytes(log)
	}
	if format != 0 {
		b.AppendString("stream")
		b.AppendString(stream)
		if format == multiline.KindCRI {
			b.AppendString("_p")
			b.AppendString("F")
		}
	}
	if st.in.pathKey != "" {
		b.AppendString(st.in.pathKey)
		b.AppendString(t.name)
	}
	if st.in.offsetKey != "" {
		b.AppendString(st.in.offsetKey)
		b.AppendInt(at)
	}
}

// parse runs Parser on text, returning the entries of the map it made
// (without their header) and their count, and setting *tm to the time it
// read. A text the parser does not match is kept as {Key: text}, as in
// Fluent Bit.
func (st *runState) parse(text []byte, tm *record.Time) (entries []byte, n int, ok bool) {
	if st.in.parser == nil {
		return nil, 0, false
	}
	m, res, err := st.in.parser.Parse(st.scratch[:0], text)
	st.scratch = m[:0]
	if err != nil {
		return nil, 0, false
	}
	size, body, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		return nil, 0, false
	}
	if res.HasTime {
		*tm = res.Time
	}
	return body, int(size), true
}

// flush emits the batch under t's tag, then commits t's offset: the DB
// moves only past lines the pipeline accepted (see ack.go).
func (st *runState) flush(t *tailedFile) error {
	if st.batch.Records() > 0 {
		if err := st.emitBatch(t); err != nil {
			return fmt.Errorf("tail input %s: emit records of %s: %w", st.in.id, t.name, err)
		}
	}
	if err := st.commit(t); err != nil {
		st.in.logger.Error("offsets DB: write failed; a restart may read lines again", "error", err)
	}
	return nil
}

// committable is t's offset as far as reading goes: the start of the
// oldest line not yet emitted.
func (st *runState) committable(t *tailedFile) int64 {
	off := t.lr.offset()
	if t.joiner != nil {
		if m, ok := t.joiner.Oldest(); ok && m < off {
			off = m
		}
	}
	return off
}

// commit stores t's committable offset, or, while batches are in flight,
// queues it behind them.
func (st *runState) commit(t *tailedFile) error {
	off := st.committable(t)
	if n := len(t.inflight); n > 0 {
		if last := t.inflight[n-1]; last.end != off || last.gen != t.gen {
			t.inflight = append(t.inflight, &ackEntry{end: off, gen: t.gen, done: true})
		}
		return nil
	}
	return st.store(t, off)
}

// store writes t's offset to the DB.
func (st *runState) store(t *tailedFile, off int64) error {
	if off == t.committed {
		return nil
	}
	t.committed = off
	if st.db == nil {
		return nil
	}
	// The fingerprint must cover the bytes up to the offset (or all of
	// fingerprintSize); it is extended only when it does not, by the new
	// bytes alone.
	if t.fp.n < min(off, fingerprintSize) {
		if fp, err := extendFingerprint(t.f, t.fp, fingerprintSize, &st.fpBuf); err == nil {
			t.fp = fp
		}
	}
	return st.db.set(t.id, dbEntry{name: t.name, offset: off, fp: t.fp})
}

// checkTruncated starts t over when it became shorter than what was read
// (copytruncate rotation, or a truncation by hand), and reports whether
// the file holds bytes not read yet.
func (st *runState) checkTruncated(t *tailedFile) (grew bool) {
	if t.closed || t.stopped {
		return false
	}
	fi, err := t.f.Stat()
	if err != nil {
		return true // let the read find out
	}
	if fi.Size() >= t.lr.readEnd() {
		return fi.Size() > t.lr.readEnd()
	}
	st.in.logger.Info("file truncated; reading it again from its beginning", "path", t.name, "size", fi.Size(), "offset", t.lr.readEnd())
	if t.joiner != nil {
		t.joiner.Flush()
		if err := st.flush(t); err != nil {
			return true
		}
	}
	t.lr.reset(0)
	t.fp = fingerprint{}
	t.gen++
	if err := st.commit(t); err != nil {
		st.in.logger.Error("offsets DB: write failed", "error", err)
	}
	return true
}

// checkRotated notices when t's path no longer leads to it (renamed or
// deleted), and closes it once it was read to its end Rotate_Wait later.
func (st *runState) checkRotated(t *tailedFile, now time.Time) error {
	if t.closed {
		return nil
	}
	if t.rotated.IsZero() || t.stopped {
		fi, err := os.Stat(t.name)
		if err == nil && idOf(fi) == t.id {
			return nil
		}
		if t.stopped {
			st.closeFile(t)
			return nil
		}
		t.rotated = now
		st.rescan = true // the name may already lead to its successor
		st.in.logger.Info("file rotated or deleted; reading it on for Rotate_Wait", "path", t.name, "rotate_wait", st.in.rotateWait)
		return nil
	}
	if now.Sub(t.rotated) < st.in.rotateWait {
		return nil
	}
	if !t.finished {
		// The writer is long gone: what is left without a newline is a
		// line.
		if line, at := t.lr.rest(); line != nil {
			st.line(t, line, at)
		}
		if t.joiner != nil {
			t.joiner.Flush()
		}
		if err := st.flush(t); err != nil {
			return err
		}
		t.finished = true
	}
	if len(t.inflight) > 0 {
		return nil // its DB entry goes once its last lines are acknowledged
	}
	st.in.logger.Info("rotated file closed", "path", t.name, "offset", t.lr.offset())
	st.closeFile(t)
	return nil
}

// closeFile stops following t and forgets its offset.
func (st *runState) closeFile(t *tailedFile) {
	if !t.stopped {
		t.f.Close()
	}
	t.closed = true
	if st.db != nil {
		if err := st.db.remove(t.id); err != nil {
			st.in.logger.Error("offsets DB: write failed", "error", err)
		}
	}
}
