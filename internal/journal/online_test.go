package journal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlineEntryRetried: an unreadable entry of a file still being written
// (state ONLINE) is retried at later polls, once per Scan, before it is
// skipped with an error; the entries after it are read.
func TestOnlineEntryRetried(t *testing.T) {
	data := buildFile(0, [][]string{{"A=1"}, {"A=2"}})
	data[16] = StateOnline
	// Break the first entry: its first item points at the header.
	arr := binary.LittleEndian.Uint64(data[176:])
	first := binary.LittleEndian.Uint64(data[arr+24:])
	binary.LittleEndian.PutUint64(data[first+64:], 8)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "system.journal"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	d := OpenDir(slog.New(slog.NewTextHandler(&logs, nil)), dir)
	defer d.Close()
	var got []string
	for scan := 1; scan <= onlineRetries; scan++ {
		if err := d.Scan(); err != nil {
			t.Fatal(err)
		}
		for {
			e, _, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			got = append(got, string(e.Fields[0]))
		}
		if scan < onlineRetries && (len(got) != 0 || logs.Len() != 0) {
			t.Fatalf("scan %d: read %v, logged %q: the entry must be retried first", scan, got, logs.String())
		}
	}
	if len(got) != 1 || got[0] != "A=2" || !strings.Contains(logs.String(), "skipped") {
		t.Fatalf("after %d scans: read %v, log %q", onlineRetries, got, logs.String())
	}
}
