package journal_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/journal"
	"github.com/sluice-logs/sluice/internal/journal/journaltest"
)

const bootID = "0123456789abcdef0123456789abcdef"

// entries makes n numbered entries; every 7th has a large, compressible
// field, every 5th a binary one.
func entries(from, n int) []journaltest.ExportEntry {
	var out []journaltest.ExportEntry
	for i := from; i < from+n; i++ {
		e := journaltest.ExportEntry{Realtime: 1700000000000000 + uint64(i)*1000, Monotonic: 1000 + uint64(i), BootID: bootID,
			Fields: [][2]string{{"MESSAGE", fmt.Sprintf("message %d", i)}, {"SEQ", strconv.Itoa(i)},
				{"_SYSTEMD_UNIT", []string{"kubelet.service", "containerd.service", "docker.service"}[i%3]},
				{"PRIORITY", "6"}}}
		if i%7 == 0 {
			e.Fields = append(e.Fields, [2]string{"BIG", strings.Repeat(fmt.Sprintf("line %d of a long stack trace\n", i), 400)})
		}
		if i%5 == 0 {
			e.Fields = append(e.Fields, [2]string{"BINARY", "a\x00b\x01\xffc"})
		}
		out = append(out, e)
	}
	return out
}

// readAll reads every entry of the directory as maps of field to value.
func readAll(t *testing.T, d *journal.Dir) []map[string]string {
	t.Helper()
	if err := d.Scan(); err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for {
		e, seqnumID, err := d.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, f := range e.Fields {
			k, v, _ := bytes.Cut(f, []byte("="))
			m[string(k)] = string(v)
		}
		m["__REALTIME_TIMESTAMP"] = strconv.FormatUint(e.Realtime, 10)
		m["__CURSOR"] = journal.CursorOf(seqnumID, e).String()
		out = append(out, m)
	}
}

// TestReaderMatchesJournalctl writes a real journal file with many entries,
// large (compressed) and binary fields, and checks that the reader returns
// what journalctl returns, field for field.
// Debian's systemd 252 writes the compact layout with keyed hashes and
// ZSTD by default; SYSTEMD_JOURNAL_COMPACT=0 and
// SYSTEMD_JOURNAL_KEYED_HASH=0 give the older layouts. (It ignores
// SYSTEMD_JOURNAL_COMPRESS=LZ4/XZ: those are covered by compress_test.go.)
func TestReaderMatchesJournalctl(t *testing.T) {
	journaltest.NeedRemote(t)
	for _, env := range [][]string{nil, {"SYSTEMD_JOURNAL_COMPACT=0"}, {"SYSTEMD_JOURNAL_COMPACT=0", "SYSTEMD_JOURNAL_KEYED_HASH=0"}} {
		t.Run(strings.Join(append([]string{"default"}, env...), ","), func(t *testing.T) { testMatchesJournalctl(t, env) })
	}
}

func testMatchesJournalctl(t *testing.T, env []string) {
	dir := t.TempDir()
	path := filepath.Join(dir, "system.journal")
	if err := journaltest.WriteWithRemote(path, entries(0, 3000), env...); err != nil {
		t.Fatal(err)
	}
	osf, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := osf.Stat()
	jf, err := journal.NewFile(path, osf, st.Size())
	osf.Close()
	if err != nil {
		t.Fatal(err)
	}
	if jf.Header().Compact() != (len(env) == 0) {
		t.Fatalf("compact layout %v with env %v: the test does not cover the layout it names", jf.Header().Compact(), env)
	}
	want, err := journaltest.JournalctlJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	d := journal.OpenDir(nil, dir)
	defer d.Close()
	got := readAll(t, d)
	if len(got) != len(want) || len(got) != 3000 {
		t.Fatalf("read %d entries, journalctl %d, wrote 3000", len(got), len(want))
	}
	for i := range got {
		for k, v := range want[i] {
			if strings.HasPrefix(k, "__") && k != "__REALTIME_TIMESTAMP" && k != "__CURSOR" {
				continue // address fields journalctl adds from the entry header
			}
			if got[i][k] != v {
				t.Fatalf("entry %d field %s: got %q, journalctl %q", i, k, trim(got[i][k]), trim(v.(string)))
			}
		}
		if n := len(got[i]); n != countData(want[i]) {
			t.Fatalf("entry %d: %d fields, journalctl %d: %v", i, n, countData(want[i]), got[i])
		}
	}
	if got[0]["BINARY"] != "a\x00b\x01\xffc" || !strings.Contains(got[7]["BIG"], "line 7 of") {
		t.Fatalf("binary or large field wrong: %q", trim(got[0]["BINARY"]))
	}
}

func countData(m map[string]any) int {
	n := 0
	for k := range m {
		if !strings.HasPrefix(k, "__") || k == "__REALTIME_TIMESTAMP" || k == "__CURSOR" {
			n++
		}
	}
	return n
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// TestReaderUsesCompression makes sure the large fields of the real file
// are stored compressed, so the test above covers decompression.
func TestReaderUsesCompression(t *testing.T) {
	journaltest.NeedRemote(t)
	path := filepath.Join(t.TempDir(), "system.journal")
	if err := journaltest.WriteWithRemote(path, entries(0, 8)); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("line 0 of a long stack trace\nline 0 of a long stack trace")) {
		t.Fatal("large field stored uncompressed; the compression path is not exercised")
	}
}

// TestReaderFollowsGrowingFile appends to a file between reads: the new
// entries, and only those, are returned.
func TestReaderFollowsGrowingFile(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "system.journal")
	if err := journaltest.WriteWithRemote(path, entries(0, 50)); err != nil {
		t.Fatal(err)
	}
	d := journal.OpenDir(nil, dir)
	defer d.Close()
	if got := readAll(t, d); len(got) != 50 {
		t.Fatalf("first read: %d entries", len(got))
	}
	if err := journaltest.WriteWithRemote(path, entries(50, 70)); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, d)
	if len(got) != 70 || got[0]["SEQ"] != "50" || got[69]["SEQ"] != "119" {
		t.Fatalf("after growth: %d entries, first %v", len(got), got[0]["SEQ"])
	}
}

// TestReaderAcrossFilesAndRotation reads a directory with a rotated file,
// a current one in a machine-ID subdirectory and a *.journal~ to skip, and
// then sees the current file renamed (rotated) underneath it.
func TestReaderAcrossFilesAndRotation(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	sub := filepath.Join(dir, "3d1219c7c4c5404aaa1f6d2a48adfda4")
	os.Mkdir(sub, 0o755)
	if err := journaltest.WriteWithRemote(filepath.Join(sub, "system@0001.journal"), entries(0, 10)); err != nil {
		t.Fatal(err)
	}
	cur := filepath.Join(sub, "system.journal")
	if err := journaltest.WriteWithRemote(cur, entries(10, 10)); err != nil {
		t.Fatal(err)
	}
	if err := journaltest.WriteWithRemote(filepath.Join(sub, "unclean.journal"), entries(100, 5)); err != nil {
		t.Fatal(err)
	}
	// journald renames a file it finds unclean to NAME.journal~ and does
	// not write it again; journalctl does not read it either.
	os.Rename(filepath.Join(sub, "unclean.journal"), filepath.Join(sub, "system@bad.journal~"))
	d := journal.OpenDir(nil, dir)
	defer d.Close()
	got := readAll(t, d)
	if len(got) != 20 {
		t.Fatalf("%d entries, want 20", len(got))
	}
	for i, m := range got {
		if m["SEQ"] != strconv.Itoa(i) {
			t.Fatalf("entry %d is SEQ %s: out of order", i, m["SEQ"])
		}
	}
	// Rotate: the current file is renamed, a new one takes its name.
	if err := os.Rename(cur, filepath.Join(sub, "system@0002.journal")); err != nil {
		t.Fatal(err)
	}
	if err := journaltest.WriteWithRemote(cur, entries(20, 5)); err != nil {
		t.Fatal(err)
	}
	got = readAll(t, d)
	if len(got) != 5 || got[0]["SEQ"] != "20" {
		t.Fatalf("after rotation: %d entries (%v); the renamed file must not be read again", len(got), got)
	}
}

// TestReaderCorruptFile: a truncated file and a file whose entry array
// offset is broken are reported with their name and an offset, and the good
// file is still read whole.
func TestReaderCorruptFile(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	if err := journaltest.WriteWithRemote(filepath.Join(dir, "good.journal"), entries(0, 20)); err != nil {
		t.Fatal(err)
	}
	trunc := filepath.Join(dir, "truncated.journal")
	if err := journaltest.WriteWithRemote(trunc, entries(100, 20)); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(trunc)
	tailObject := binary.LittleEndian.Uint64(raw[136:])
	os.WriteFile(trunc, raw[:tailObject+8], 0o644) // the last object is cut
	badArray := filepath.Join(dir, "badarray.journal")
	if err := journaltest.WriteWithRemote(badArray, entries(200, 20)); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(badArray)
	binary.LittleEndian.PutUint64(raw[176:], 1<<40) // entry_array_offset past the end
	os.WriteFile(badArray, raw, 0o644)

	var logs bytes.Buffer
	d := journal.OpenDir(slog.New(slog.NewTextHandler(&logs, nil)), dir)
	defer d.Close()
	got := readAll(t, d)
	good := 0
	for _, m := range got {
		if n, _ := strconv.Atoi(m["SEQ"]); n < 20 {
			good++
		}
	}
	if good != 20 {
		t.Fatalf("%d entries of the good file, want 20 (read %d in all)", good, len(got))
	}
	for _, want := range []string{"truncated.journal at offset", "badarray.journal at offset"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no error naming %q in the log:\n%s", want, logs.String())
		}
	}
}

// TestReaderSeekTail: with SeekTail only entries written after the first
// Scan are read (Read_From_Tail).
func TestReaderSeekTail(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "system.journal")
	if err := journaltest.WriteWithRemote(path, entries(0, 10)); err != nil {
		t.Fatal(err)
	}
	d := journal.OpenDir(nil, dir)
	defer d.Close()
	d.SeekTail()
	if got := readAll(t, d); len(got) != 0 {
		t.Fatalf("read %d old entries", len(got))
	}
	if err := journaltest.WriteWithRemote(path, entries(10, 3)); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, d); len(got) != 3 || got[0]["SEQ"] != "10" {
		t.Fatalf("after append: %v", got)
	}
}

// TestReaderTwoDirectories reads a volatile and a persistent journal
// directory as one journal, interleaved by time, as sd_journal_open does
// with /run/log/journal and /var/log/journal; a missing third one is
// reported and the others still read.
func TestReaderTwoDirectories(t *testing.T) {
	journaltest.NeedRemote(t)
	run, persistent := t.TempDir(), t.TempDir()
	even, odd := entries(0, 0), entries(0, 0)
	for i, e := range entries(0, 20) {
		if i%2 == 0 {
			even = append(even, e)
		} else {
			odd = append(odd, e)
		}
	}
	if err := journaltest.WriteWithRemote(filepath.Join(run, "system.journal"), even); err != nil {
		t.Fatal(err)
	}
	if err := journaltest.WriteWithRemote(filepath.Join(persistent, "system.journal"), odd); err != nil {
		t.Fatal(err)
	}
	d := journal.OpenDir(nil, run, persistent, filepath.Join(run, "missing"))
	defer d.Close()
	if err := d.Scan(); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("Scan: %v, want the missing directory named", err)
	}
	var got []string
	for {
		e, _, err := d.Next()
		if err != nil {
			break
		}
		for _, f := range e.Fields {
			if v, ok := bytes.CutPrefix(f, []byte("SEQ=")); ok {
				got = append(got, string(v))
			}
		}
	}
	if len(got) != 20 {
		t.Fatalf("read %d entries, want 20", len(got))
	}
	for i, v := range got {
		if v != strconv.Itoa(i) {
			t.Fatalf("entry %d is SEQ %s: not interleaved by time", i, v)
		}
	}
}
