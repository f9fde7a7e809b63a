package tail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDBReplayAndCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offsets.db")
	db, err := openDB(path, syncNormal, false)
	if err != nil {
		t.Fatal(err)
	}
	a, b := fileID{1, 100}, fileID{1, 200}
	for off := int64(0); off < 5000; off++ { // enough records to compact several times
		if err := db.set(a, dbEntry{name: "/var/log/a.log", offset: off, fp: fingerprint{n: 10, crc: 7}}); err != nil {
			t.Fatal(err)
		}
	}
	db.set(b, dbEntry{name: "/var/log/b.log", offset: 42})
	db.remove(b)
	db.set(fileID{2, 300}, dbEntry{name: "/var/log/c.log", offset: 9})
	if err := db.close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Size() > dbCompactMin+4096 {
		t.Errorf("DB is %d bytes after compaction", fi.Size())
	}
	db, err = openDB(path, syncNormal, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.close()
	if e, ok := db.lookup(a); !ok || e.offset != 4999 || e.name != "/var/log/a.log" || e.fp != (fingerprint{10, 7}) {
		t.Errorf("a = %+v %v", e, ok)
	}
	if _, ok := db.lookup(b); ok {
		t.Error("removed entry came back")
	}
	if e, _ := db.lookup(fileID{2, 300}); e.offset != 9 {
		t.Errorf("c = %+v", e)
	}
}

// TestDBTornTail cuts the log at every byte of its last record, as a crash
// mid-write would, and checks the previous state survives intact.
func TestDBTornTail(t *testing.T) {
	dir := t.TempDir()
	full := appendRecord(nil, dbSet, fileID{1, 1}, dbEntry{name: "x", offset: 10})
	last := appendRecord(nil, dbSet, fileID{1, 1}, dbEntry{name: "x", offset: 20})
	for cut := 0; cut < len(last); cut++ {
		path := filepath.Join(dir, "db")
		os.WriteFile(path, append(append([]byte{}, full...), last[:cut]...), 0o644)
		db, err := openDB(path, syncOff, false)
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := db.lookup(fileID{1, 1}); !ok || e.offset != 10 {
			t.Fatalf("cut %d: %+v %v", cut, e, ok)
		}
		db.set(fileID{1, 1}, dbEntry{name: "x", offset: 30}) // appends after the valid prefix
		db.close()
		db, _ = openDB(path, syncOff, false)
		if e, _ := db.lookup(fileID{1, 1}); e.offset != 30 {
			t.Fatalf("cut %d: after rewrite %+v", cut, e)
		}
		db.close()
	}
	// A flipped bit is caught by the checksum.
	path := filepath.Join(dir, "flip")
	bad := append(append([]byte{}, full...), last...)
	bad[len(bad)-3] ^= 1
	os.WriteFile(path, bad, 0o644)
	db, _ := openDB(path, syncOff, false)
	if e, _ := db.lookup(fileID{1, 1}); e.offset != 10 {
		t.Fatalf("corrupt record applied: %+v", e)
	}
	db.close()
}

func TestDBLocking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := openDB(path, syncFull, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openDB(path, syncFull, true); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second open: %v", err)
	}
	db.close()
	db, err = openDB(path, syncFull, true)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	db.close()
}

func TestDBOpenError(t *testing.T) {
	_, err := openDB(filepath.Join(t.TempDir(), "missing", "db"), syncNormal, false)
	if err == nil || !strings.Contains(err.Error(), "directory exists") {
		t.Fatalf("err = %v", err)
	}
}
