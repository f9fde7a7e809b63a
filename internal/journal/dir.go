package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// onlineRetries is how many polls an entry of a file journald still has
// open (state ONLINE) may fail to read before it is skipped: a reader can
// catch the writer between writing an object and linking it.
const onlineRetries = 8

// Dir reads the journal files of directories (and of their subdirectories one
// level down, where journald keeps /var/log/journal/MACHINE_ID/) as one
// stream, in order, and follows them as they grow, are rotated (renamed to
// NAME@...journal and replaced) and are removed. Files are told apart by
// their file ID, not their name, so a rotated file is not read twice.
// Files named *.journal~ (ones journald found unclean and set aside) are
// not read. Dir is not safe for concurrent use.
type Dir struct {
	paths  []string
	logger *slog.Logger
	files  map[[16]byte]*dirFile
	bad    map[string]string // path -> error already logged, for files that cannot be opened
	last   *dirFile          // the file whose peeked entry Next returned last
	tail   bool              // files found by the first Scan start at their end
	seeked bool
	cursor *Cursor
	scans  uint64 // Scans so far: an unreadable entry is retried once per Scan
}

type dirFile struct {
	path   string
	info   os.FileInfo // of osf, to know the path again without opening it
	osf    *os.File
	f      *File
	peek   Entry
	peeked bool
	fails  int    // polls at which the next entry could not be read
	failAt uint64 // the Scan of the latest failure
	broken bool
	past   bool // past the SeekAfter cursor
	seen   bool // found by the latest Scan
}

// OpenDir prepares to read the journal directories paths as one journal
// (sd_journal_open reads /run/log/journal and /var/log/journal together);
// Scan finds their files.
func OpenDir(logger *slog.Logger, paths ...string) *Dir {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Dir{paths: paths, logger: logger, files: map[[16]byte]*dirFile{}, bad: map[string]string{}}
}

// SeekTail makes the files found by the first Scan start at their end:
// only entries written after it are read (Read_From_Tail).
func (d *Dir) SeekTail() { d.tail = true }

// SeekAfter makes reading start after the entry c names: in a file with
// c's seqnum ID, after seqnum c.Seqnum; in other files, after entries
// older than or as old as c.Realtime. Call it before the first Scan.
func (d *Dir) SeekAfter(c Cursor) { d.cursor = &c }

// Files are the paths of the files being read, sorted.
func (d *Dir) Files() []string {
	var out []string
	for _, f := range d.files {
		out = append(out, f.path)
	}
	sort.Strings(out)
	return out
}

// Scan looks for new journal files and takes in the growth of known ones.
// Errors about single files are logged (once per file and error) and the
// other files are read; Scan returns an error when a directory cannot be
// read, after reading the others.
func (d *Dir) Scan() error {
	paths, listErr := d.list()
	byPath := make(map[string]*dirFile, len(d.files))
	for _, f := range d.files {
		f.seen = false
		byPath[f.path] = f
	}
	for _, p := range paths {
		if f := byPath[p]; f != nil {
			if st, err := os.Stat(p); err == nil && os.SameFile(st, f.info) {
				f.seen = true
				continue
			}
		}
		d.add(p)
	}
	d.scans++
	first := !d.seeked
	d.seeked = true
	for id, f := range d.files {
		if f.broken || f.f.hdr.State == StateArchived && f.f.Remaining() == 0 && f.seen {
			continue // an archived file does not change
		}
		st, err := f.osf.Stat()
		if err == nil {
			err = f.f.Refresh(st.Size())
		}
		if err != nil {
			d.fail(f, err)
			continue
		}
		if first && d.tail {
			if err := f.f.Skip(f.f.Remaining()); err != nil {
				d.fail(f, err)
			}
		}
		if !f.seen && f.f.Remaining() == 0 && !f.peeked {
			// Removed (vacuumed) and read to its end.
			f.osf.Close()
			delete(d.files, id)
		}
	}
	return listErr
}

func (d *Dir) list() ([]string, error) {
	var out []string
	var errs []error
	for _, dir := range d.paths {
		files, err := listDir(dir)
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, files...)
	}
	sort.Strings(out)
	return out, errors.Join(errs...)
}

// listDir lists the journal files of dir and of its subdirectories.
func listDir(dir string) ([]string, error) {
	var out []string
	top, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("journal directory %s: %w", dir, err)
	}
	for _, e := range top {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			sub, err := os.ReadDir(p)
			if err != nil {
				continue
			}
			for _, s := range sub {
				if !s.IsDir() && isJournal(s.Name()) {
					out = append(out, filepath.Join(p, s.Name()))
				}
			}
			continue
		}
		if isJournal(e.Name()) {
			out = append(out, p)
		}
	}
	return out, nil
}

func isJournal(name string) bool { return strings.HasSuffix(name, ".journal") }

func (d *Dir) add(p string) {
	osf, err := os.Open(p)
	if err != nil {
		d.logBad(p, err)
		return
	}
	st, err := osf.Stat()
	if err != nil {
		osf.Close()
		d.logBad(p, err)
		return
	}
	f, err := NewFile(p, osf, st.Size())
	if err != nil {
		osf.Close()
		d.logBad(p, err)
		return
	}
	delete(d.bad, p)
	if known, ok := d.files[f.hdr.FileID]; ok {
		osf.Close()
		known.seen = true
		known.path, known.info = p, st // renamed by rotation
		return
	}
	d.files[f.hdr.FileID] = &dirFile{path: p, info: st, osf: osf, f: f, seen: true}
}

func (d *Dir) logBad(p string, err error) {
	if d.bad[p] == err.Error() {
		return
	}
	d.bad[p] = err.Error()
	d.logger.Error("journal file cannot be read; the other files are read", "file", p, "error", err)
}

func (d *Dir) fail(f *dirFile, err error) {
	f.broken = true
	d.logger.Error("journal file: stopped reading it; the other files are read", "file", f.path, "error", err)
}

// Next returns the next entry across all files, oldest first, and the seqnum
// ID of its file (for its Cursor). It returns io.EOF when no file has an
// entry to read now; Scan then takes in what was written since. The entry
// is valid until the next call to Next.
func (d *Dir) Next() (*Entry, [16]byte, error) {
	if d.last != nil {
		d.last.peeked = false
		d.last = nil
	}
	var best *dirFile
	for _, f := range d.files {
		if !d.fill(f) {
			continue
		}
		if best == nil || before(f, best) {
			best = f
		}
	}
	if best == nil {
		return nil, [16]byte{}, io.EOF
	}
	d.last = best
	return &best.peek, best.f.hdr.SeqnumID, nil
}

// fill makes sure f has its next entry peeked, reports whether it has one.
func (d *Dir) fill(f *dirFile) bool {
	for !f.peeked && !f.broken {
		if f.fails > 0 && f.failAt == d.scans {
			return false // tried at this poll already
		}
		err := f.f.Next(&f.peek)
		switch {
		case err == nil:
			f.fails = 0
			if d.cursor != nil && !f.past {
				if d.skipped(f) {
					continue
				}
				f.past = true
			}
			f.peeked = true
		case errors.Is(err, io.EOF):
			return false
		case errors.Is(err, ErrCorrupt):
			// A file journald is writing may be caught between two
			// steps: try again at later polls before giving up on the
			// entry. A closed file's corrupt entry is skipped at once.
			f.fails++
			f.failAt = d.scans
			if f.f.hdr.State == StateOnline && f.fails < onlineRetries {
				return false
			}
			f.fails = 0
			d.logger.Error("journal entry cannot be read; skipped", "file", f.path, "error", err)
			if err := f.f.Skip(1); err != nil {
				d.fail(f, err)
			}
		default:
			d.fail(f, err)
		}
	}
	return f.peeked
}

// skipped reports whether the peeked entry is at or before the cursor given
// to SeekAfter.
func (d *Dir) skipped(f *dirFile) bool {
	c := d.cursor
	if f.f.hdr.SeqnumID == c.SeqnumID {
		return f.peek.Seqnum <= c.Seqnum
	}
	return f.peek.Realtime <= c.Realtime
}

// before orders entries as journalctl interleaves files: by seqnum within
// one seqnum ID (one journald instance), otherwise by wall-clock time.
func before(a, b *dirFile) bool {
	if a.f.hdr.SeqnumID == b.f.hdr.SeqnumID && a.peek.Seqnum != b.peek.Seqnum {
		return a.peek.Seqnum < b.peek.Seqnum
	}
	if a.peek.Realtime != b.peek.Realtime {
		return a.peek.Realtime < b.peek.Realtime
	}
	return bytes.Compare(a.f.hdr.FileID[:], b.f.hdr.FileID[:]) < 0
}

// Close closes every file.
func (d *Dir) Close() error {
	for id, f := range d.files {
		f.osf.Close()
		delete(d.files, id)
	}
	return nil
}
