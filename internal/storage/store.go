package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/sluice-logs/sluice/internal/metrics"
)

// SyncMode is [SERVICE] storage.sync.
type SyncMode uint8

// The sync modes.
const (
	// SyncNormal writes each append before returning and fsyncs when a
	// chunk is sealed and on Sync.
	SyncNormal SyncMode = iota
	// SyncFull also fsyncs every append before it returns.
	SyncFull
)

// DefaultSegmentSize is the size at which the active segment is closed and
// a new one started; smaller segments free disk sooner, larger ones mean
// fewer files.
const DefaultSegmentSize = 8 << 20

// Options configure a store.
type Options struct {
	// Dir is the store's directory: storage.path/<input instance>.
	Dir string
	// Name is the input instance, for messages.
	Name     string
	Sync     SyncMode
	Checksum bool
	// FS is the file layer; nil means OSFS.
	FS FS
	// SegmentSize overrides DefaultSegmentSize (tests use small ones).
	SegmentSize int64
	Logger      *slog.Logger
	// Metrics receives the store's counters; nil means unregistered ones.
	Metrics *metrics.Storage
	// Limits holds the storage.total_limit_size of every output that has
	// one, shared by all stores; nil for none.
	Limits map[string]*OutputLimit
	// OnEvict is called (with no lock held by the caller's goroutine
	// other than the store's) for each chunk an output's
	// storage.total_limit_size made the store drop for that output.
	OnEvict func(output, tag string, records int)
}

// OutputLimit tracks an output's buffered bytes against its
// storage.total_limit_size, across every store.
type OutputLimit struct {
	Limit int64
	mu    sync.Mutex
	used  int64
}

func (l *OutputLimit) add(n int64) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used += n
	return l.used
}

// Used returns the bytes currently buffered for the output.
func (l *OutputLimit) Used() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}

// Store is the filesystem buffer of one input instance. Its methods and
// those of its Chunks are safe for concurrent use.
type Store struct {
	opts    Options
	fs      FS
	logger  *slog.Logger
	metrics *metrics.Storage

	mu      sync.Mutex
	segs    []*segment // oldest first; the last may be active
	active  *segment
	nextSeq uint64
	chunks  map[uint64]*Chunk // incomplete chunks
	nextID  uint64
	buf     []byte
	closed  bool

	// Group commit: writes counts the frames written, synced is the count
	// every one of which is fsynced. One caller at a time (leading) runs
	// the fsyncs without the lock for every writer waiting, and the others
	// wait on syncDone, so writers share fsyncs instead of queueing behind
	// each other's. unsynced are segments rolled with writes not yet
	// fsynced; the next sync covers them.
	writes   uint64
	synced   uint64
	leading  bool
	syncDone *sync.Cond
	unsynced []*segment
	syncSegs []*segment // the leader's scratch list
}

// segment is one segment file.
type segment struct {
	seq     uint64
	path    string
	f       File
	size    int64
	pending int  // incomplete chunks with a frame in this segment
	syncing int  // Syncs running on f without the lock; f is closed after them
	deleted bool // removed; close f once syncing is 0
}

// Chunk is one buffered chunk: its tag, the outputs it was routed to, and
// where its data frames are.
type Chunk struct {
	s       *Store
	id      uint64
	tag     string
	outputs []string
	done    []bool
	frames  []frameRef
	segs    []*segment
	records int
	size    int64
	opened  bool
	sealed  bool
	// InMemory is maintained by the engine: set while the chunk's data is
	// held in memory (an open chunk, or a dispatched one), cleared when it
	// is only on disk. Only chunks on disk are evicted for
	// storage.total_limit_size.
	inMemory bool
}

// frameRef locates a data frame.
type frameRef struct {
	seg     *segment
	off     int64 // of the frame header
	length  int   // payload length
	records int
}

// Open opens (creating it if needed) the store in opts.Dir and recovers
// the chunks its segments hold. It returns them, oldest first, with the
// outputs that have not delivered them yet: the backlog to replay.
// Corrupted frames are skipped and reported through the logger and
// metrics; only I/O errors on the directory fail Open.
func Open(opts Options) (*Store, []*Chunk, error) {
	if opts.FS == nil {
		opts.FS = OSFS{}
	}
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = &metrics.Storage{Name: opts.Name}
	}
	s := &Store{opts: opts, fs: opts.FS, logger: opts.Logger, metrics: opts.Metrics,
		chunks: map[uint64]*Chunk{}, nextID: 1, nextSeq: 1}
	s.syncDone = sync.NewCond(&s.mu)
	if err := s.fs.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("storage of input %q: create %s: %w; check storage.path and its permissions", opts.Name, opts.Dir, err)
	}
	backlog, err := s.recover()
	if err != nil {
		return nil, nil, err
	}
	return s, backlog, nil
}

// Create starts a chunk of tag routed to outputs. Nothing is written until
// its first Append.
func (s *Store) Create(tag string, outputs []string) *Chunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Chunk{s: s, id: s.nextID, tag: tag, outputs: outputs, done: make([]bool, len(outputs)), inMemory: true}
	s.nextID++
	return c
}

// errClosed is returned by writes after Close.
var errClosed = errors.New("store is closed")

// Durable identifies a write for WaitDurable. The zero value needs no wait.
type Durable uint64

// Append writes events (records of them) as a data frame of c, preceded by
// c's open frame on its first call. It returns once the frame is written,
// and fsynced with SyncFull: it is Write followed by WaitDurable. A failed
// write leaves nothing of the frame in the segment and c unchanged, so the
// caller may retry; a failed fsync is reported after the frame was
// recorded, so the caller retries WaitDurable (or Sync), not Append.
func (c *Chunk) Append(events []byte, records int) error {
	d, err := c.Write(events, records)
	if err != nil {
		return err
	}
	return c.s.WaitDurable(d)
}

// Write is Append without waiting for the fsync: with SyncFull the frame
// is durable once WaitDurable(d) returned nil. Writers that call Write in
// turn (under their own lock, to keep the order of frames) and then
// WaitDurable without it share fsyncs: a group commit.
func (c *Chunk) Write(events []byte, records int) (d Durable, err error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errClosed
	}
	if c.sealed {
		return 0, fmt.Errorf("storage of input %q: append to a sealed chunk", s.opts.Name)
	}
	buf := s.buf[:0]
	if !c.opened {
		buf = appendFrame(buf, frameOpen, s.opts.Checksum, func(b []byte) []byte { return appendOpen(b, c.id, c.tag, c.outputs) })
	}
	dataAt := len(buf)
	buf = appendFrame(buf, frameData, s.opts.Checksum, func(b []byte) []byte { return appendData(b, c.id, records, events) })
	s.buf = buf
	seg, off, err := s.write(buf)
	if err != nil {
		return 0, err
	}
	if !c.opened {
		c.opened = true
		s.chunks[c.id] = c
		s.metrics.Chunks.Add(1)
	}
	if len(c.segs) == 0 || c.segs[len(c.segs)-1] != seg {
		c.segs = append(c.segs, seg)
		seg.pending++
	}
	c.frames = append(c.frames, frameRef{seg: seg, off: off + int64(dataAt), length: len(buf) - dataAt - frameHeaderSize, records: records})
	c.records += records
	c.size += int64(len(events))
	s.metrics.Bytes.Add(int64(len(events)))
	s.metrics.StoredRecords.Add(uint64(records))
	for i, o := range c.outputs {
		if !c.done[i] {
			s.charge(o, int64(len(events)))
		}
	}
	if s.opts.Sync == SyncFull {
		d = Durable(s.writes)
	}
	return d, nil
}

// WaitDurable returns once the write d is fsynced. When no fsync is
// running it runs one itself, for every write so far; otherwise it waits
// for the running one and, if that did not cover d, runs the next. The
// store's lock is not held during an fsync, so Writes go on meanwhile.
func (s *Store) WaitDurable(d Durable) error {
	if d == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncTo(uint64(d))
}

// write appends b to the active segment, rolling to a new one when it is
// full, and returns the segment and the offset b was written at. On a
// failed write the segment is truncated back, so no partial frame stays.
func (s *Store) write(b []byte) (*segment, int64, error) {
	if s.active != nil && s.active.size >= s.opts.SegmentSize {
		s.roll()
	}
	if s.active == nil {
		if err := s.newSegment(); err != nil {
			s.metrics.WriteErrors.Add(1)
			return nil, 0, err
		}
	}
	seg := s.active
	off := seg.size
	if _, err := seg.f.Write(b); err != nil {
		s.metrics.WriteErrors.Add(1)
		if terr := seg.f.Truncate(off); terr != nil {
			// The tail cannot be cut: recovery reports it as the
			// unreadable end of the segment.
			s.logger.Error("storage: cannot truncate a failed write", "file", seg.path, "offset", off, "error", terr)
			seg.size += int64(len(b))
		}
		// The next write starts a new segment. On a full disk this one can
		// then be deleted as soon as its chunks are delivered, which is
		// what frees the space to write again.
		s.roll()
		return nil, 0, fmt.Errorf("storage of input %q: write %s at offset %d: %w", s.opts.Name, seg.path, off, err)
	}
	seg.size += int64(len(b))
	s.metrics.WrittenBytes.Add(uint64(len(b)))
	s.metrics.DiskBytes.Add(int64(len(b)))
	s.writes++
	return seg, off, nil
}

// newSegment creates the next segment file and makes it active.
func (s *Store) newSegment() error {
	seg := &segment{seq: s.nextSeq, path: filepath.Join(s.opts.Dir, segmentName(s.nextSeq))}
	f, err := s.fs.OpenFile(seg.path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("storage of input %q: create segment: %w", s.opts.Name, err)
	}
	if _, err := f.Write([]byte(segmentMagic)); err != nil {
		f.Close()
		_ = s.fs.Remove(seg.path)
		return fmt.Errorf("storage of input %q: write %s: %w", s.opts.Name, seg.path, err)
	}
	s.nextSeq++
	seg.f, seg.size = f, int64(len(segmentMagic))
	if err := s.fs.SyncDir(s.opts.Dir); err != nil {
		s.logger.Warn("storage: fsync of the directory failed", "dir", s.opts.Dir, "error", err)
	}
	s.segs = append(s.segs, seg)
	s.active = seg
	s.metrics.Segments.Add(1)
	s.metrics.DiskBytes.Add(seg.size)
	return nil
}

// roll closes the active segment for writing (it stays open for reads).
// Its writes not yet fsynced are left to the next sync, which runs without
// the lock.
func (s *Store) roll() {
	if s.active == nil {
		return
	}
	if s.synced < s.writes {
		s.unsynced = append(s.unsynced, s.active)
	}
	s.active = nil
	s.collect()
}

func segmentName(seq uint64) string { return fmt.Sprintf("seg-%020d.log", seq) }

// syncTo returns once the first seq writes are fsynced (see WaitDurable).
// Called with s.mu held; it is released during the fsyncs.
func (s *Store) syncTo(seq uint64) error {
	for s.synced < seq {
		if s.closed {
			return fmt.Errorf("storage of input %q: %w before its writes were fsynced", s.opts.Name, errClosed)
		}
		if s.leading {
			s.syncDone.Wait()
			continue
		}
		if err := s.leadSync(); err != nil {
			return err
		}
	}
	return nil
}

// leadSync fsyncs the segments with writes not yet fsynced — the rolled
// ones, then the active one — without holding s.mu, and advances synced to
// the writes made before it began.
func (s *Store) leadSync() error {
	target := s.writes
	segs := s.syncSegs[:0]
	for _, seg := range s.unsynced {
		if !seg.deleted {
			segs = append(segs, seg)
		}
	}
	rolled := len(s.unsynced)
	if s.active != nil {
		segs = append(segs, s.active)
	}
	for _, seg := range segs {
		seg.syncing++
	}
	s.leading = true
	s.mu.Unlock()
	var err error
	for _, seg := range segs {
		if serr := seg.f.Sync(); serr != nil && err == nil {
			err = fmt.Errorf("storage of input %q: fsync %s: %w", s.opts.Name, seg.path, serr)
		}
	}
	s.mu.Lock()
	s.leading = false
	s.syncDone.Broadcast()
	for i, seg := range segs {
		seg.syncing--
		if seg.deleted && seg.syncing == 0 {
			seg.f.Close()
		}
		segs[i] = nil
	}
	s.syncSegs = segs[:0]
	if err != nil {
		s.metrics.WriteErrors.Add(1)
		return err
	}
	// Segments rolled while the fsync ran stay listed: their later writes
	// are not covered.
	s.unsynced = dropFirst(s.unsynced, rolled)
	s.synced = max(s.synced, target)
	s.metrics.Syncs.Add(1)
	return nil
}

func dropFirst(l []*segment, n int) []*segment {
	k := copy(l, l[n:])
	clear(l[k:])
	return l[:k]
}

// syncAllLocked fsyncs every segment with unsynced writes holding s.mu
// (Close).
func (s *Store) syncAllLocked() error {
	if s.synced == s.writes {
		return nil
	}
	var err error
	for _, seg := range append(s.unsynced, s.active) {
		if seg == nil || seg.deleted {
			continue
		}
		if serr := seg.f.Sync(); serr != nil && err == nil {
			err = fmt.Errorf("storage of input %q: fsync %s: %w", s.opts.Name, seg.path, serr)
		}
	}
	if err != nil {
		s.metrics.WriteErrors.Add(1)
		return err
	}
	s.unsynced = dropFirst(s.unsynced, len(s.unsynced))
	s.synced = s.writes
	s.metrics.Syncs.Add(1)
	return nil
}

// Sync fsyncs the segments with unsynced writes (storage.sync normal calls
// it every Flush). The fsync runs without the store's lock, so appends are
// not held up behind it; it covers every write that returned before Sync
// was called.
func (s *Store) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	return s.syncTo(s.writes)
}

// Seal ends c's appends. With SyncNormal it fsyncs the segment, so a
// sealed chunk survives a machine crash.
func (c *Chunk) Seal() error {
	s := c.s
	s.mu.Lock()
	c.sealed = true
	full := s.opts.Sync == SyncFull
	s.mu.Unlock()
	if full {
		return nil
	}
	return s.Sync()
}

// Done records that output delivered c (or gave it up). When every output
// of c is done the chunk is complete and the segments only it kept are
// deleted. A failure to write the done frame is logged: after a restart c
// would be delivered to output again, a duplicate, not a loss.
func (c *Chunk) Done(output string) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doneLocked(c, output)
}

func (s *Store) doneLocked(c *Chunk, output string) {
	idx := -1
	for i, o := range c.outputs {
		if o == output && !c.done[i] {
			idx = i
			break
		}
	}
	if idx < 0 || !c.opened {
		return
	}
	c.done[idx] = true
	s.charge(output, -c.size)
	if !s.closed {
		buf := appendFrame(s.buf[:0], frameDone, s.opts.Checksum, func(b []byte) []byte { return appendDone(b, c.id, output) })
		s.buf = buf
		if _, _, err := s.write(buf); err != nil {
			s.logger.Warn("storage: could not record a delivery; the chunk will be sent again after a restart",
				"output", output, "tag", c.tag, "error", err)
		}
	}
	for _, d := range c.done {
		if !d {
			return
		}
	}
	s.complete(c)
}

// complete forgets a chunk every output is done with.
func (s *Store) complete(c *Chunk) {
	if _, ok := s.chunks[c.id]; !ok {
		return
	}
	delete(s.chunks, c.id)
	s.metrics.Chunks.Add(-1)
	s.metrics.Bytes.Add(-c.size)
	for _, seg := range c.segs {
		seg.pending--
	}
	c.segs = nil
	s.collect()
}

// collect deletes the oldest segments while no incomplete chunk has a
// frame in them. Deleting strictly in order keeps every done frame at
// least as long as the chunk it marks.
func (s *Store) collect() {
	for len(s.segs) > 0 && s.segs[0] != s.active && s.segs[0].pending == 0 {
		seg := s.segs[0]
		seg.deleted = true
		if seg.syncing == 0 {
			seg.f.Close()
		}
		if err := s.fs.Remove(seg.path); err != nil && !os.IsNotExist(err) {
			s.logger.Warn("storage: could not delete a delivered segment", "file", seg.path, "error", err)
			return
		}
		s.segs = s.segs[1:]
		s.metrics.Segments.Add(-1)
		s.metrics.DiskBytes.Add(-seg.size)
	}
}

// charge adds n buffered bytes to output's storage.total_limit_size
// account and, past the limit, drops the oldest chunks of this store that
// are only on disk, for that output.
func (s *Store) charge(output string, n int64) {
	l := s.opts.Limits[output]
	if l == nil {
		return
	}
	used := l.add(n)
	if n <= 0 || l.Limit <= 0 || used <= l.Limit {
		return
	}
	for _, c := range s.oldestOnDisk(output) {
		if l.Used() <= l.Limit {
			return
		}
		records, tag := c.records, c.tag
		s.doneLocked(c, output)
		s.metrics.EvictedRecords.Add(uint64(records))
		if s.opts.OnEvict != nil {
			s.opts.OnEvict(output, tag, records)
		}
	}
}

// oldestOnDisk lists, oldest first, the incomplete chunks not in memory
// that output has not delivered.
func (s *Store) oldestOnDisk(output string) []*Chunk {
	var out []*Chunk
	for _, c := range s.chunks {
		if c.inMemory {
			continue
		}
		for i, o := range c.outputs {
			if o == output && !c.done[i] {
				out = append(out, c)
				break
			}
		}
	}
	sortChunks(out)
	return out
}

// Close fsyncs and closes the store's files. With nothing left to deliver
// its segments are deleted, so a clean stop leaves an empty directory.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	for s.leading { // let a running fsync finish before its files close
		s.syncDone.Wait()
	}
	err := s.syncAllLocked()
	s.closed = true
	s.syncDone.Broadcast()
	empty := len(s.chunks) == 0
	for _, seg := range s.segs {
		seg.f.Close()
		if empty {
			if rerr := s.fs.Remove(seg.path); rerr != nil && err == nil {
				err = rerr
			}
		}
	}
	if empty {
		s.metrics.Segments.Store(0)
		s.metrics.DiskBytes.Store(0)
		s.segs = nil
	}
	return err
}

// Tag is the chunk's tag.
func (c *Chunk) Tag() string { return c.tag }

// Records is the number of records appended to the chunk.
func (c *Chunk) Records() int {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.records
}

// Size is the bytes of events appended to the chunk.
func (c *Chunk) Size() int64 {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.size
}

// Pending returns the outputs that have not delivered the chunk yet.
func (c *Chunk) Pending() []string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	var out []string
	for i, o := range c.outputs {
		if !c.done[i] {
			out = append(out, o)
		}
	}
	return out
}

// Complete reports whether every output the chunk was routed to has
// delivered it or given it up.
func (c *Chunk) Complete() bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for _, d := range c.done {
		if !d {
			return false
		}
	}
	return true
}

// IsPending reports whether output has yet to deliver the chunk (false once
// it did, or once its storage.total_limit_size evicted the chunk).
func (c *Chunk) IsPending(output string) bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for i, o := range c.outputs {
		if o == output {
			return !c.done[i]
		}
	}
	return false
}

// SetInMemory tells the store whether the chunk's data is held in memory
// (see Chunk.inMemory).
func (c *Chunk) SetInMemory(v bool) {
	c.s.mu.Lock()
	c.inMemory = v
	c.s.mu.Unlock()
}

// Load reads the chunk's events back from disk, appended to dst, verifying
// the CRC of frames that have one.
func (c *Chunk) Load(dst []byte) ([]byte, error) {
	s := c.s
	s.mu.Lock()
	frames := append([]frameRef(nil), c.frames...)
	s.mu.Unlock()
	var hdr [frameHeaderSize]byte
	for _, fr := range frames {
		if _, err := fr.seg.f.ReadAt(hdr[:], fr.off); err != nil {
			return dst, fmt.Errorf("storage of input %q: read %s at offset %d: %w", s.opts.Name, fr.seg.path, fr.off, err)
		}
		h, err := parseHeader(hdr[:])
		if err != nil || h.typ != frameData || int(h.length) != fr.length {
			return dst, fmt.Errorf("storage of input %q: %s at offset %d: frame header changed on disk", s.opts.Name, fr.seg.path, fr.off)
		}
		start := len(dst)
		dst = append(dst, make([]byte, fr.length)...)
		payload := dst[start:]
		if _, err := fr.seg.f.ReadAt(payload, fr.off+frameHeaderSize); err != nil {
			return dst[:start], fmt.Errorf("storage of input %q: read %s at offset %d: %w", s.opts.Name, fr.seg.path, fr.off, err)
		}
		if err := h.checkCRC(payload); err != nil {
			return dst[:start], fmt.Errorf("storage of input %q: %s at offset %d: %w", s.opts.Name, fr.seg.path, fr.off, err)
		}
		copy(payload, payload[dataHeaderSize:])
		dst = dst[:len(dst)-dataHeaderSize]
	}
	return dst, nil
}
