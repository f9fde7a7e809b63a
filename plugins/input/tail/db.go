package tail

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// The offsets DB is an append-only log of checksummed records, rewritten
// (compacted) when the dead records outweigh the live ones. Each record is
//
//	u32 payload length | u32 CRC-32C of the payload | payload
//	payload: op (1 set, 2 delete) | uvarint dev | uvarint inode
//	         | uvarint offset | uvarint fingerprint length | u32 fingerprint CRC
//	         | uvarint name length | name
//
// Why not SQLite, as Fluent Bit: the state is a few dozen bytes per file,
// written in place of itself over and over; a log of whole records makes
// each update one write(2) of ~60 bytes that either lands whole or fails its
// checksum, needs no cgo and no dependency, and recovers from a torn tail
// by dropping the record that did not finish. Loading replays the log into
// a map, last record winning.

var dbTable = crc32.MakeTable(crc32.Castagnoli)

const (
	dbSet    = 1
	dbDelete = 2
	// dbCompactMin is the log size below which the DB is never compacted.
	dbCompactMin = 64 << 10
)

// syncMode is DB.sync.
type syncMode uint8

const (
	syncOff syncMode = iota
	syncNormal
	syncFull
	syncExtra
)

func parseSyncMode(s string) syncMode {
	switch s {
	case "off":
		return syncOff
	case "full":
		return syncFull
	case "extra":
		return syncExtra
	}
	return syncNormal
}

// fileID identifies a file independently of its names.
type fileID struct{ dev, ino uint64 }

// fingerprint is the CRC of a file's first bytes: with the inode, it tells
// a file apart from a later one that reused the inode.
type fingerprint struct {
	n   int64
	crc uint32
}

// dbEntry is what the DB knows of one file.
type dbEntry struct {
	name   string
	offset int64
	fp     fingerprint
}

// offsetDB is an open offsets DB. It is used by one goroutine.
type offsetDB struct {
	path     string
	f        *os.File
	sync     syncMode
	lock     bool
	entries  map[fileID]dbEntry
	size     int64 // bytes in the log
	dirty    bool  // written since the last fsync
	lastSync time.Time
	scratch  []byte
	// lastRun is when the DB was last written before this open: about
	// when Sluice last ran. Zero for a new or empty DB.
	lastRun time.Time
}

// openDB opens or creates the DB at path and replays it.
func openDB(path string, mode syncMode, lock bool) (*offsetDB, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open DB %s: %w; check that its directory exists and is writable", path, err)
	}
	d := &offsetDB{path: path, f: f, sync: mode, lock: lock, entries: map[fileID]dbEntry{}, lastSync: time.Now()}
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		d.lastRun = fi.ModTime()
	}
	if lock {
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			return nil, fmt.Errorf("DB %s is locked by another process (DB.locking is on): %w; give each tail input its own DB", path, err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read DB %s: %w", path, err)
	}
	valid := d.replay(data)
	if valid < len(data) || len(data) > dbCompactMin {
		// A torn last record (a crash mid-write) or a long history:
		// start from a clean, compact log.
		if err := d.compact(); err != nil {
			d.f.Close()
			return nil, err
		}
	} else {
		d.size = int64(valid)
		if _, err := f.Seek(d.size, 0); err != nil {
			f.Close()
			return nil, fmt.Errorf("seek DB %s: %w", path, err)
		}
	}
	return d, nil
}

// replay applies the records of data and returns the length of its valid
// prefix.
func (d *offsetDB) replay(data []byte) int {
	pos := 0
	for len(data)-pos >= 8 {
		n := int(binary.LittleEndian.Uint32(data[pos:]))
		sum := binary.LittleEndian.Uint32(data[pos+4:])
		if n > 1<<20 || pos+8+n > len(data) {
			break
		}
		payload := data[pos+8 : pos+8+n]
		if crc32.Checksum(payload, dbTable) != sum {
			break
		}
		if !d.apply(payload) {
			break
		}
		pos += 8 + n
	}
	return pos
}

// apply decodes one payload into the map; false if it is malformed.
func (d *offsetDB) apply(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	op, p := p[0], p[1:]
	var vals [4]uint64
	for i := range vals {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return false
		}
		vals[i], p = v, p[n:]
	}
	if len(p) < 4 {
		return false
	}
	crc := binary.LittleEndian.Uint32(p)
	p = p[4:]
	nameLen, n := binary.Uvarint(p)
	if n <= 0 || uint64(len(p)-n) != nameLen {
		return false
	}
	id := fileID{vals[0], vals[1]}
	switch op {
	case dbSet:
		d.entries[id] = dbEntry{name: string(p[n:]), offset: int64(vals[2]), fp: fingerprint{n: int64(vals[3]), crc: crc}}
	case dbDelete:
		delete(d.entries, id)
	default:
		return false
	}
	return true
}

func appendRecord(dst []byte, op byte, id fileID, e dbEntry) []byte {
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0, op)
	dst = binary.AppendUvarint(dst, id.dev)
	dst = binary.AppendUvarint(dst, id.ino)
	dst = binary.AppendUvarint(dst, uint64(e.offset))
	dst = binary.AppendUvarint(dst, uint64(e.fp.n))
	dst = binary.LittleEndian.AppendUint32(dst, e.fp.crc)
	dst = binary.AppendUvarint(dst, uint64(len(e.name)))
	dst = append(dst, e.name...)
	payload := dst[at+8:]
	binary.LittleEndian.PutUint32(dst[at:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(dst[at+4:], crc32.Checksum(payload, dbTable))
	return dst
}

// lookup returns the entry of a file.
func (d *offsetDB) lookup(id fileID) (dbEntry, bool) {
	e, ok := d.entries[id]
	return e, ok
}

// set records a file's committed offset.
func (d *offsetDB) set(id fileID, e dbEntry) error {
	if old, ok := d.entries[id]; ok && old == e {
		return nil
	}
	d.entries[id] = e
	return d.write(appendRecord(d.scratch[:0], dbSet, id, e))
}

// remove forgets a file that is no longer followed.
func (d *offsetDB) remove(id fileID) error {
	if _, ok := d.entries[id]; !ok {
		return nil
	}
	delete(d.entries, id)
	return d.write(appendRecord(d.scratch[:0], dbDelete, id, dbEntry{}))
}

func (d *offsetDB) write(rec []byte) error {
	d.scratch = rec
	if _, err := d.f.Write(rec); err != nil {
		return fmt.Errorf("write DB %s: %w", d.path, err)
	}
	d.size += int64(len(rec))
	d.dirty = true
	if d.sync >= syncFull {
		if err := d.fsync(); err != nil {
			return err
		}
	}
	if d.size > dbCompactMin && d.size > int64(len(d.entries)+1)*4096 { // mostly dead records
		return d.compact()
	}
	return nil
}

// tick fsyncs a dirty DB once a second in DB.sync normal.
func (d *offsetDB) tick(now time.Time) error {
	if d.sync == syncNormal && d.dirty && now.Sub(d.lastSync) >= time.Second {
		return d.fsync()
	}
	return nil
}

func (d *offsetDB) fsync() error {
	d.dirty, d.lastSync = false, time.Now()
	if err := d.f.Sync(); err != nil {
		return fmt.Errorf("fsync DB %s: %w", d.path, err)
	}
	return nil
}

// compact writes the live entries to a new log and renames it over the
// old one, so a crash at any point leaves one complete log.
func (d *offsetDB) compact() error {
	tmp := d.path + ".compact"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("compact DB %s: %w", d.path, err)
	}
	if d.lock {
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			return fmt.Errorf("compact DB %s: lock: %w", d.path, err)
		}
	}
	var buf []byte
	for id, e := range d.entries {
		buf = appendRecord(buf, dbSet, id, e)
	}
	_, err = f.Write(buf)
	if err == nil && d.sync != syncOff {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, d.path)
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("compact DB %s: %w", d.path, err)
	}
	if d.sync != syncOff {
		if dir, err := os.Open(filepath.Dir(d.path)); err == nil {
			dir.Sync()
			dir.Close()
		}
	}
	d.f.Close()
	d.f, d.size, d.dirty = f, int64(len(buf)), false
	return nil
}

// close syncs (unless DB.sync is off) and closes the DB.
func (d *offsetDB) close() error {
	var err error
	if d.sync != syncOff && d.dirty {
		err = d.fsync()
	}
	return errors.Join(err, d.f.Close())
}
