package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

// DeadLetters is the dead-letter store ([SERVICE] storage.keep.rejected):
// records an output gave up on are appended, one JSON object per line, to
// <dir>/<output instance>.jsonl:
//
//	{"time":"2026-12-01T06:00:00.123456789Z","output":"es.0","tag":"app",
//	 "reason":"permanent_error","error":"...","record_time":1764568800.5,
//	 "record":{...}}
//
// time is when the record was given up on, record_time its own timestamp
// (seconds), record its body. Each batch is fsynced before Write returns.
type DeadLetters struct {
	dir string
	fs  FS

	mu    sync.Mutex
	files map[string]File
	buf   []byte
}

// OpenDeadLetters returns a dead-letter store writing under dir, which is
// created when missing. fs nil means OSFS.
func OpenDeadLetters(dir string, fs FS) (*DeadLetters, error) {
	if fs == nil {
		fs = OSFS{}
	}
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dead-letter store: create %s: %w; check storage.rejected.path", dir, err)
	}
	return &DeadLetters{dir: dir, fs: fs, files: map[string]File{}}, nil
}

// Path is the file the records of output go to.
func (d *DeadLetters) Path(output string) string {
	return filepath.Join(d.dir, SafeName(output)+".jsonl")
}

// Write appends the records of chunk that output gave up on, with the
// reason and the error, and fsyncs the file.
func (d *DeadLetters) Write(output, reason string, cause error, chunk *record.Chunk) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := d.files[output]
	if f == nil {
		var err error
		f, err = d.fs.OpenFile(d.Path(output), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("dead-letter store: open %s: %w", d.Path(output), err)
		}
		d.files[output] = f
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	errText := ""
	if cause != nil {
		errText = cause.Error()
	}
	b := d.buf[:0]
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		ev := it.Event()
		b = append(b, `{"time":"`...)
		b = append(b, now...)
		b = append(b, `","output":`...)
		b = record.AppendJSONString(b, []byte(output))
		b = append(b, `,"tag":`...)
		b = record.AppendJSONString(b, []byte(chunk.Tag))
		b = append(b, `,"reason":`...)
		b = record.AppendJSONString(b, []byte(reason))
		b = append(b, `,"error":`...)
		b = record.AppendJSONString(b, []byte(errText))
		b = append(b, `,"record_time":`...)
		b = strconv.AppendFloat(b, ev.Time.Float(), 'f', -1, 64)
		b = append(b, `,"record":`...)
		mark := len(b)
		var err error
		if b, _, err = record.AppendJSON(b, ev.Body); err != nil {
			b = append(b[:mark], "null"...)
		}
		b = append(b, "}\n"...)
	}
	d.buf = b
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("dead-letter store: write %s: %w", d.Path(output), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("dead-letter store: fsync %s: %w", d.Path(output), err)
	}
	return nil
}

// Close closes the files.
func (d *DeadLetters) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var first error
	for name, f := range d.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
		delete(d.files, name)
	}
	return first
}

// SafeName turns an instance name into a file name: every byte outside
// [A-Za-z0-9._-] becomes '_', and "." or ".." gains a leading '_'.
func SafeName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if s := string(b); s != "." && s != ".." && s != "" {
		return s
	}
	return "_" + string(b)
}
