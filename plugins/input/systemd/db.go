package systemd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sluice-logs/sluice/internal/journal"
)

// cursorDB keeps the journal cursor of the last entry Sluice is done with,
// as one line of text ("s=...;i=...;b=...;m=...;t=...;x=...", the form
// journalctl prints as __CURSOR), replaced atomically (write to a temporary
// file, rename). Fluent Bit keeps the same cursor in an SQLite table; a
// state of one line needs no database and no cgo.
type cursorDB struct {
	path string
	// sync is DB.Sync: "full" and "extra" fsync every update, "normal" at
	// most once a second (as tail's DB), "off" never.
	sync     string
	last     string
	lastSync time.Time
}

// fsync reports whether this update is fsynced.
func (db *cursorDB) fsync() bool {
	switch db.sync {
	case "full", "extra":
		return true
	case "normal":
		if time.Since(db.lastSync) >= time.Second {
			db.lastSync = time.Now()
			return true
		}
	}
	return false
}

// sqliteMagic starts every SQLite file, such as Fluent Bit's systemd DB.
var sqliteMagic = []byte("SQLite format 3\x00")

// load returns the stored cursor, nil when there is none. A DB Sluice
// cannot read (Fluent Bit's SQLite file, a damaged file) is reported in
// the returned warning and treated as empty, then replaced.
func (db *cursorDB) load() (*journal.Cursor, string, error) {
	b, err := os.ReadFile(db.path)
	if os.IsNotExist(err) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("DB %s: %w", db.path, err)
	}
	if bytes.HasPrefix(b, sqliteMagic) {
		return nil, "DB is Fluent Bit's SQLite database, which Sluice does not read; starting as without a DB (Read_From_Tail decides) and replacing it with Sluice's cursor file", nil
	}
	c, err := journal.ParseCursor(string(b))
	if err != nil {
		return nil, fmt.Sprintf("DB holds no readable cursor (%v); starting as without a DB", err), nil
	}
	db.last = c.String()
	return &c, "", nil
}

// store replaces the stored cursor.
func (db *cursorDB) store(c string) error {
	if c == db.last {
		return nil
	}
	tmp := db.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("DB %s: %w", db.path, err)
	}
	fsync := db.fsync()
	_, err = f.WriteString(c + "\n")
	if err == nil && fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, db.path)
	}
	if err == nil && fsync {
		if d, derr := os.Open(filepath.Dir(db.path)); derr == nil {
			d.Sync()
			d.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("DB %s: %w", db.path, err)
	}
	db.last = c
	return nil
}
