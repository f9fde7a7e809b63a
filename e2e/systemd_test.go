package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/journal/journaltest"
)

// systemdWrite appends entries from..from+n-1 to a journal file: units
// alternate between kubelet and containerd, every 10th entry has a large
// (compressed) MESSAGE, every 7th a binary field.
func systemdWrite(t *testing.T, path string, from, n int) {
	t.Helper()
	if err := journaltest.WriteWithRemote(path, systemdEntries(from, n)); err != nil {
		t.Fatal(err)
	}
}

func systemdEntries(from, n int) []journaltest.ExportEntry {
	var es []journaltest.ExportEntry
	for i := from; i < from+n; i++ {
		msg := fmt.Sprintf("entry %d", i)
		if i%10 == 0 {
			msg += strings.Repeat(" padding", 500)
		}
		e := journaltest.ExportEntry{Realtime: 1700000000000000 + uint64(i)*1000, Monotonic: uint64(i + 1),
			BootID: "0123456789abcdef0123456789abcdef",
			Fields: [][2]string{{"MESSAGE", msg}, {"SEQ", strconv.Itoa(i)},
				{"_SYSTEMD_UNIT", []string{"kubelet.service", "containerd.service"}[i%2]}}}
		if i%7 == 0 {
			e.Fields = append(e.Fields, [2]string{"BINARY", "a\x00b\x01c"})
		}
		es = append(es, e)
	}
	return es
}

// systemdCheck checks that the output holds entries 0..n-1 exactly once,
// with their fields.
func systemdCheck(t *testing.T, records []map[string]any, n int) {
	t.Helper()
	seen := map[int]int{}
	for _, r := range records {
		i, err := strconv.Atoi(fmt.Sprint(r["SEQ"]))
		if err != nil {
			t.Fatalf("record without SEQ: %v", r)
		}
		seen[i]++
		if msg, _ := r["MESSAGE"].(string); !strings.HasPrefix(msg, fmt.Sprintf("entry %d", i)) || (i%10 == 0) != strings.Contains(msg, "padding") {
			t.Fatalf("entry %d: MESSAGE %.60q", i, msg)
		}
		if unit := []string{"kubelet.service", "containerd.service"}[i%2]; r["_SYSTEMD_UNIT"] != unit {
			t.Fatalf("entry %d: _SYSTEMD_UNIT %v", i, r["_SYSTEMD_UNIT"])
		}
		if i%7 == 0 && r["BINARY"] != "a\x00b\x01c" {
			t.Fatalf("entry %d: BINARY %q", i, r["BINARY"])
		}
	}
	for i := 0; i < n; i++ {
		if seen[i] != 1 {
			t.Fatalf("entry %d arrived %d times (%d records for %d entries)", i, seen[i], len(records), n)
		}
	}
	if len(records) != n {
		t.Fatalf("%d records for %d entries", len(records), n)
	}
}

// systemdConfig writes a configuration reading the journal directory jdir
// into dir/out/journal.log, with extra lines in the systemd section.
func systemdConfig(t *testing.T, dir, jdir, extra string) string {
	t.Helper()
	return writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2

[INPUT]
    Name  systemd
    Path  %s
    Tag   host.*
    %s

[OUTPUT]
    Name    file
    Match   host.*
    Path    %s
    File    journal.log
    Format  plain
    Mkdir   On
`, jdir, extra, filepath.Join(dir, "out")))
}

// TestSystemdInputJournalFiles runs bin/sluice with the systemd input on a
// directory of real journal files (a rotated one, the current one, a user
// journal in a machine-ID folder), appends while it runs, restarts it with
// the DB and appends again: every entry reaches the file output once, with
// its fields.
func TestSystemdInputJournalFiles(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	jdir := filepath.Join(dir, "journal")
	machine := filepath.Join(jdir, "3d1219c7c4c5404aaa1f6d2a48adfda4")
	if err := os.MkdirAll(machine, 0o755); err != nil {
		t.Fatal(err)
	}
	systemdWrite(t, filepath.Join(machine, "system@0000000000000001-0000000000000001.journal"), 0, 2000)
	current := filepath.Join(machine, "system.journal")
	systemdWrite(t, current, 2000, 1000)
	cfg := systemdConfig(t, dir, jdir, "DB "+filepath.Join(dir, "systemd.db")+"\n    Max_Entries 500")
	outFile := filepath.Join(dir, "out", "journal.log")
	p := start(t, nil, "-c", cfg)
	eventually(t, 60*time.Second, "the first 3000 entries", func() bool { return len(jsonLines(t, outFile)) >= 3000 })
	systemdWrite(t, current, 3000, 500) // the file grows under the input
	eventually(t, 60*time.Second, "the appended entries", func() bool { return len(jsonLines(t, outFile)) >= 3500 })
	if code := p.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	systemdCheck(t, jsonLines(t, outFile), 3500)

	// Entries written while Sluice is down are read after the restart,
	// and none of the earlier ones again.
	systemdWrite(t, current, 3500, 300)
	p = start(t, nil, "-c", cfg)
	eventually(t, 60*time.Second, "the entries written while stopped", func() bool { return len(jsonLines(t, outFile)) >= 3800 })
	if code := p.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	systemdCheck(t, jsonLines(t, outFile), 3800)
}

// TestSystemdInputLiveWriter follows a journal file while
// systemd-journal-remote still has it open and appends to it (state
// ONLINE, as journald's system.journal), in 40 bursts: every entry arrives
// once, none is read torn.
func TestSystemdInputLiveWriter(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	jdir := filepath.Join(dir, "journal")
	os.Mkdir(jdir, 0o755)
	cfg := systemdConfig(t, dir, jdir, "")
	outFile := filepath.Join(dir, "out", "journal.log")
	p := start(t, nil, "-c", cfg)
	w, err := journaltest.StartWriter(filepath.Join(jdir, "system.journal"))
	if err != nil {
		t.Fatal(err)
	}
	const bursts, per = 40, 50
	for b := 0; b < bursts; b++ {
		if err := w.Write(systemdEntries(b*per, per)); err != nil {
			t.Fatal(err)
		}
		// Let the reader catch up with part of the file while the writer
		// is still going.
		eventually(t, 30*time.Second, "the burst", func() bool { return len(jsonLines(t, outFile)) >= b*per })
	}
	eventually(t, 60*time.Second, "every entry", func() bool { return len(jsonLines(t, outFile)) >= bursts*per })
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if code := p.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	systemdCheck(t, jsonLines(t, outFile), bursts*per)
	if log := p.stderr.String(); strings.Contains(log, "journal") && strings.Contains(log, "cannot be read") {
		t.Errorf("the reader reported unreadable entries of the live file:\n%s", log)
	}
}
