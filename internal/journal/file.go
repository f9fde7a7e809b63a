// Package journal reads systemd journal files without libsystemd, so that a
// binary built with CGO_ENABLED=0 can follow /var/log/journal. The layout is
// the one systemd documents as the Journal File Format (systemd.io
// JOURNAL_FILE_FORMAT): a header, then 8-byte aligned objects; entries are
// found through the chain of ENTRY_ARRAY objects that starts at the header's
// entry_array_offset, and each ENTRY lists the DATA objects ("FIELD=value",
// possibly XZ, LZ4 or ZSTD compressed) it is made of. Both the regular and
// the compact layout (HEADER_INCOMPATIBLE_COMPACT, 32-bit offsets, systemd
// 252+) are read; the keyed-hash flag only changes how hashes are computed,
// which a reader walking entry arrays never needs.
//
// Every offset read from a file is checked against the file's size and
// every chain walk is bounded (entry arrays must move forward), so a corrupt
// or truncated file yields an error naming the file and offset, never a
// panic or an endless loop.
package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Header flags (journal-def.h).
const (
	incompatCompressedXZ   = 1 << 0
	incompatCompressedLZ4  = 1 << 1
	incompatKeyedHash      = 1 << 2
	incompatCompressedZSTD = 1 << 3
	incompatCompact        = 1 << 4
	incompatKnown          = incompatCompressedXZ | incompatCompressedLZ4 | incompatKeyedHash |
		incompatCompressedZSTD | incompatCompact
)

// Object types and DATA object flags.
const (
	objData       = 1
	objEntry      = 3
	objEntryArray = 6

	objCompressedXZ   = 1 << 0
	objCompressedLZ4  = 1 << 1
	objCompressedZSTD = 1 << 2
)

// File states in the header.
const (
	StateOffline  = 0
	StateOnline   = 1
	StateArchived = 2
)

const (
	headerMinSize    = 208 // up to n_data, systemd's HEADER_SIZE_MIN
	objectHeaderSize = 16
	entryHeaderSize  = 64 // object header, seqnum, realtime, monotonic, boot_id, xor_hash
	arrayHeaderSize  = 24 // object header, next_entry_array_offset
	// maxObjectSize bounds one object: journald caps a field at 64 MiB
	// (DATA_SIZE_MAX is 1 GiB on disk, but no entry gets near it); a
	// corrupt size field must not make the reader allocate gigabytes.
	maxObjectSize = 256 << 20
	// maxDecompressed bounds what one compressed DATA object may expand to
	// (journald refuses entries over 768 MiB, fields are far smaller).
	maxDecompressed = 64 << 20
)

var signature = [8]byte{'L', 'P', 'K', 'S', 'H', 'H', 'R', 'H'}

// ErrCorrupt is wrapped by every error about a file's content.
var ErrCorrupt = errors.New("corrupt journal file")

// Header is the part of a journal file's header the reader uses.
type Header struct {
	Incompatible uint32
	State        uint8
	FileID       [16]byte
	SeqnumID     [16]byte
	HeaderSize   uint64
	ArenaSize    uint64
	NEntries     uint64
	EntryArray   uint64 // offset of the first ENTRY_ARRAY, 0 when empty
	HeadSeqnum   uint64
	TailSeqnum   uint64
}

// Compact reports whether the file uses the compact layout.
func (h Header) Compact() bool { return h.Incompatible&incompatCompact != 0 }

// File is one journal file opened for reading. It is not safe for
// concurrent use.
type File struct {
	name string
	r    io.ReaderAt
	size int64
	hdr  Header
	buf  []byte // scratch for objects larger than a cache block
	// cache holds aligned blocks of the file, direct-mapped: objects are
	// small and an entry's objects cluster in a few places (its own, the
	// shared DATA objects, the entry array), so a pread per block serves
	// many. Refresh empties it, so bytes written since are never stale.
	cache [cacheSlots]cacheSlot
	dec   decompressor

	// Position in the entry array chain, so that following a growing
	// file does not walk the chain from its start each time.
	arrOff   uint64 // current ENTRY_ARRAY object, 0 before the first
	arrItems uint64 // items it holds
	arrIdx   uint64 // next item to read in it
	read     uint64 // entries returned so far
}

// NewFile reads the header of a journal file held by r (size bytes long);
// name is used in errors.
func NewFile(name string, r io.ReaderAt, size int64) (*File, error) {
	f := &File{name: name, r: r, size: size}
	if err := f.readHeader(); err != nil {
		return nil, err
	}
	return f, nil
}

// Name is the name given to NewFile.
func (f *File) Name() string { return f.name }

// Header is the header as last read.
func (f *File) Header() Header { return f.hdr }

func (f *File) corrupt(off uint64, format string, args ...any) error {
	return fmt.Errorf("%w %s at offset %d: %s", ErrCorrupt, f.name, off, fmt.Sprintf(format, args...))
}

func (f *File) readAt(off uint64, n int) ([]byte, error) {
	if n < 0 || off > uint64(f.size) || uint64(n) > uint64(f.size)-off {
		return nil, f.corrupt(off, "%d bytes past the end of the file (%d bytes)", n, f.size)
	}
	if blk := off / cacheBlock; (off+uint64(n)-1)/cacheBlock == blk && n > 0 {
		c := &f.cache[blk%cacheSlots]
		if !c.valid || c.block != blk {
			start := blk * cacheBlock
			size := min(uint64(cacheBlock), uint64(f.size)-start)
			if c.data == nil {
				c.data = make([]byte, cacheBlock)
			}
			c.valid = false
			if _, err := f.r.ReadAt(c.data[:size], int64(start)); err != nil {
				return nil, fmt.Errorf("journal file %s: read %d bytes at offset %d: %w", f.name, size, start, err)
			}
			c.block, c.valid = blk, true
		}
		return c.data[off-blk*cacheBlock:][:n], nil
	}
	if cap(f.buf) < n {
		f.buf = make([]byte, n)
	}
	b := f.buf[:n]
	if _, err := f.r.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("journal file %s: read %d bytes at offset %d: %w", f.name, n, off, err)
	}
	return b, nil
}

// The block cache: cacheSlots blocks of cacheBlock bytes per file.
const (
	cacheBlock = 4 << 10
	cacheSlots = 32
)

type cacheSlot struct {
	block uint64
	valid bool
	data  []byte
}

// Refresh reads the header again and takes a new size, for a file that
// is being written to.
func (f *File) Refresh(size int64) error {
	f.size = size
	for i := range f.cache {
		f.cache[i].valid = false
	}
	return f.readHeader()
}

func (f *File) readHeader() error {
	b, err := f.readAt(0, headerMinSize)
	if err != nil {
		return fmt.Errorf("%w %s: shorter than a journal header (%d bytes)", ErrCorrupt, f.name, f.size)
	}
	if [8]byte(b[:8]) != signature {
		return fmt.Errorf("%w %s: not a journal file (no LPKSHHRH signature)", ErrCorrupt, f.name)
	}
	le := binary.LittleEndian
	h := Header{
		Incompatible: le.Uint32(b[12:]),
		State:        b[16],
		FileID:       [16]byte(b[24:40]),
		SeqnumID:     [16]byte(b[72:88]),
		HeaderSize:   le.Uint64(b[88:]),
		ArenaSize:    le.Uint64(b[96:]),
		NEntries:     le.Uint64(b[152:]),
		TailSeqnum:   le.Uint64(b[160:]),
		HeadSeqnum:   le.Uint64(b[168:]),
		EntryArray:   le.Uint64(b[176:]),
	}
	if unknown := h.Incompatible &^ incompatKnown; unknown != 0 {
		return fmt.Errorf("journal file %s: unsupported incompatible flags %#x (written by a newer systemd?)", f.name, unknown)
	}
	if h.HeaderSize < headerMinSize {
		return f.corrupt(88, "header size %d is below the minimum %d", h.HeaderSize, headerMinSize)
	}
	if f.hdr.FileID != ([16]byte{}) && h.FileID != f.hdr.FileID {
		return fmt.Errorf("journal file %s: file ID changed under the reader (the file was replaced)", f.name)
	}
	f.hdr = h
	return nil
}

// Entry is one journal entry. Fields are "NAME=value" byte slices; they and
// the Entry are valid until the next call to Next on the same File.
type Entry struct {
	Offset    uint64
	Seqnum    uint64
	Realtime  uint64 // µs since the epoch (__REALTIME_TIMESTAMP)
	Monotonic uint64 // µs since boot (__MONOTONIC_TIMESTAMP)
	BootID    [16]byte
	XorHash   uint64
	Fields    [][]byte

	data [][]byte // per-field buffers, reused
	offs []uint64 // the items' DATA offsets, reused
}

// Remaining is how many entries the header counts that Next has not
// returned yet.
func (f *File) Remaining() uint64 {
	if f.hdr.NEntries < f.read {
		return 0
	}
	return f.hdr.NEntries - f.read
}

// Skip moves past n entries without reading them.
func (f *File) Skip(n uint64) error {
	for ; n > 0; n-- {
		if _, err := f.nextOffset(); err != nil {
			return err
		}
	}
	return nil
}

// Read returns how many entries Next and Skip have moved past.
func (f *File) Read() uint64 { return f.read }

// nextOffset returns the offset of the next entry, or io.EOF when the
// header counts no more.
func (f *File) nextOffset() (uint64, error) {
	if f.read >= f.hdr.NEntries {
		return 0, io.EOF
	}
	item := uint64(8)
	if f.hdr.Compact() {
		item = 4
	}
	for f.arrOff == 0 || f.arrIdx >= f.arrItems {
		var next uint64
		if f.arrOff == 0 {
			next = f.hdr.EntryArray
		} else {
			// The next pointer is written after the array filled up:
			// read it again rather than trusting an old zero.
			b, err := f.readAt(f.arrOff+16, 8)
			if err != nil {
				return 0, err
			}
			next = binary.LittleEndian.Uint64(b)
		}
		if next == 0 {
			return 0, f.corrupt(f.arrOff, "entry array chain ends after %d of %d entries", f.read, f.hdr.NEntries)
		}
		// Arrays are appended, so each lies after the one before: this
		// bounds the walk even when offsets are corrupt.
		if next <= f.arrOff || next < f.hdr.HeaderSize || next%8 != 0 {
			return 0, f.corrupt(f.arrOff, "entry array points to offset %d, not forward", next)
		}
		size, err := f.objectHeader(next, objEntryArray)
		if err != nil {
			return 0, err
		}
		if size < arrayHeaderSize {
			return 0, f.corrupt(next, "entry array of %d bytes", size)
		}
		f.arrOff, f.arrItems, f.arrIdx = next, (size-arrayHeaderSize)/item, 0
	}
	b, err := f.readAt(f.arrOff+arrayHeaderSize+f.arrIdx*item, int(item))
	if err != nil {
		return 0, err
	}
	var off uint64
	if item == 4 {
		off = uint64(binary.LittleEndian.Uint32(b))
	} else {
		off = binary.LittleEndian.Uint64(b)
	}
	if off == 0 {
		// Counted by the header but not linked yet: a writer between
		// two steps. Try again at the next poll.
		return 0, io.EOF
	}
	f.arrIdx++
	f.read++
	return off, nil
}

// objectHeader checks the object at off has type typ and fits in the file,
// and returns its size.
func (f *File) objectHeader(off uint64, typ uint8) (uint64, error) {
	if off%8 != 0 || off < f.hdr.HeaderSize {
		return 0, f.corrupt(off, "object offset not aligned or inside the header")
	}
	b, err := f.readAt(off, objectHeaderSize)
	if err != nil {
		return 0, err
	}
	if b[0] != typ {
		return 0, f.corrupt(off, "object type %d, expected %d", b[0], typ)
	}
	size := binary.LittleEndian.Uint64(b[8:])
	if size < objectHeaderSize || size > maxObjectSize || size > uint64(f.size)-off {
		return 0, f.corrupt(off, "object size %d does not fit in the file (%d bytes)", size, f.size)
	}
	return size, nil
}

// Next reads the next entry into e. It returns io.EOF when the file has no
// more entries for now (a file being written may get more: call Refresh
// and Next again).
func (f *File) Next(e *Entry) error {
	off, err := f.nextOffset()
	if err != nil {
		return err
	}
	if err := f.readEntry(off, e); err != nil {
		// Stay on this entry: the caller decides whether to try it
		// again (a file being written) or Skip it.
		f.arrIdx--
		f.read--
		return err
	}
	return nil
}

func (f *File) readEntry(off uint64, e *Entry) error {
	size, err := f.objectHeader(off, objEntry)
	if err != nil {
		return err
	}
	if size < entryHeaderSize {
		return f.corrupt(off, "entry of %d bytes", size)
	}
	b, err := f.readAt(off, int(size))
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	e.Offset = off
	e.Seqnum = le.Uint64(b[16:])
	e.Realtime = le.Uint64(b[24:])
	e.Monotonic = le.Uint64(b[32:])
	e.BootID = [16]byte(b[40:56])
	e.XorHash = le.Uint64(b[56:])
	item := uint64(16)
	if f.hdr.Compact() {
		item = 4
	}
	n := (size - entryHeaderSize) / item
	// Copy the item offsets out: reading DATA objects reuses f.buf.
	if n > uint64(len(b)) {
		return f.corrupt(off, "entry with %d items", n)
	}
	offs := e.offs[:0]
	for i := uint64(0); i < n; i++ {
		p := b[entryHeaderSize+i*item:]
		if item == 4 {
			offs = append(offs, uint64(le.Uint32(p)))
		} else {
			offs = append(offs, le.Uint64(p))
		}
	}
	e.offs = offs
	e.Fields = e.Fields[:0]
	total := 0
	for len(e.data) < len(offs) {
		e.data = append(e.data, nil)
	}
	for i, d := range offs {
		if d == 0 {
			continue // compact entries may be padded
		}
		v, err := f.readData(d, e.data[i][:0])
		if err != nil {
			return fmt.Errorf("entry at offset %d: %w", off, err)
		}
		// One entry's fields together are bounded too: a corrupt entry
		// may list the same compressed object thousands of times.
		if total += len(v); total > f.dec.limit() {
			return f.corrupt(off, "entry expands to more than %d bytes", f.dec.limit())
		}
		e.data[i] = v
		e.Fields = append(e.Fields, v)
	}
	return nil
}

// readData appends the payload of the DATA object at off to dst.
func (f *File) readData(off uint64, dst []byte) ([]byte, error) {
	size, err := f.objectHeader(off, objData)
	if err != nil {
		return nil, err
	}
	payload := uint64(64)
	if f.hdr.Compact() {
		payload = 72
	}
	if size < payload {
		return nil, f.corrupt(off, "data object of %d bytes", size)
	}
	b, err := f.readAt(off, int(size))
	if err != nil {
		return nil, err
	}
	flags := b[1]
	body := b[payload:]
	switch {
	case flags == 0:
		return append(dst, body...), nil
	case flags&objCompressedZSTD != 0:
		out, err := f.dec.zstd(body, dst)
		if err != nil {
			return nil, f.corrupt(off, "zstd data: %v", err)
		}
		return out, nil
	case flags&objCompressedLZ4 != 0:
		out, err := f.dec.lz4(body, dst)
		if err != nil {
			return nil, f.corrupt(off, "lz4 data: %v", err)
		}
		return out, nil
	case flags&objCompressedXZ != 0:
		out, err := f.dec.xz(body, dst)
		if err != nil {
			return nil, f.corrupt(off, "xz data: %v", err)
		}
		return out, nil
	default:
		return nil, f.corrupt(off, "unknown data object flags %#x", flags)
	}
}
