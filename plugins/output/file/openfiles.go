package file

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Open files are kept between flushes: it saves an open and a close per
// chunk, and a reader of a named pipe does not see end of file after every
// chunk. A file renamed or removed (log rotation) is noticed by the stat
// before each write and reopened at its path; a file unused for idleTimeout
// is closed, and at most maxOpenFiles stay open (the least recently used
// is closed first), since tags can name many files.
const (
	maxOpenFiles = 64
	idleTimeout  = time.Minute
)

// openFiles is the output's set of open files. Its owner serialises calls.
type openFiles struct {
	open      map[string]*openFile
	lastSweep time.Time
}

type openFile struct {
	f        *os.File
	info     os.FileInfo // of the file when opened, to tell it is still at its path
	lastUsed time.Time
}

// get returns the open file for path, opening or reopening it as needed,
// and the file's current size.
func (fs *openFiles) get(path string, mkdir bool) (*os.File, int64, error) {
	now := time.Now()
	fs.sweep(now)
	if of, ok := fs.open[path]; ok {
		st, err := os.Stat(path)
		if err == nil && os.SameFile(st, of.info) {
			of.lastUsed = now
			return of.f, st.Size(), nil
		}
		fs.drop(path) // rotated or removed: write to a new file at path
	}
	if len(fs.open) >= maxOpenFiles {
		fs.dropLeastRecent()
	}
	f, err := openAppend(path, mkdir)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("stat %s: %w", path, err)
	}
	fs.open[path] = &openFile{f: f, info: st, lastUsed: now}
	return f, st.Size(), nil
}

// drop closes path's file, if open.
func (fs *openFiles) drop(path string) {
	if of, ok := fs.open[path]; ok {
		of.f.Close()
		delete(fs.open, path)
	}
}

func (fs *openFiles) dropLeastRecent() {
	var oldest string
	var at time.Time
	for path, of := range fs.open {
		if oldest == "" || of.lastUsed.Before(at) {
			oldest, at = path, of.lastUsed
		}
	}
	fs.drop(oldest)
}

// sweep closes the files unused for idleTimeout, at most every 10 seconds.
func (fs *openFiles) sweep(now time.Time) {
	if now.Sub(fs.lastSweep) < 10*time.Second {
		return
	}
	fs.lastSweep = now
	for path, of := range fs.open {
		if now.Sub(of.lastUsed) > idleTimeout {
			fs.drop(path)
		}
	}
}

// closeAll closes every file and reports the first error.
func (fs *openFiles) closeAll() error {
	var errs []error
	for path, of := range fs.open {
		if err := of.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", path, err))
		}
		delete(fs.open, path)
	}
	return errors.Join(errs...)
}

// openAppend opens path for appending, creating it (mode 0666 less the
// umask, as Fluent Bit's fopen does) and, with mkdir, its directory (0755).
func openAppend(path string, mkdir bool) (*os.File, error) {
	const flags = os.O_WRONLY | os.O_APPEND | os.O_CREATE
	f, err := os.OpenFile(path, flags, 0o666)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w; check the permissions of the file and its directory", err)
	}
	if !mkdir {
		return nil, fmt.Errorf("%w; create the directory or set Mkdir on", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create the directory of %s: %w", path, err)
	}
	return os.OpenFile(path, flags, 0o666)
}
