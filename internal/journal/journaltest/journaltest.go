// Package journaltest writes real journal files for tests, with Debian's
// systemd-journal-remote, and reads them back with journalctl.
package journaltest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RemoteBinary is where Debian's systemd-journal-remote package puts the
// tool that writes journal files from the journal export format; tests use
// it to make real journal files without a running journald.
const RemoteBinary = "/lib/systemd/systemd-journal-remote"

// ExportEntry is one entry in the journal export format: the address fields
// (__REALTIME_TIMESTAMP, __MONOTONIC_TIMESTAMP, _BOOT_ID) then the fields,
// in order; a value with a newline or a non-text byte is written in the
// format's binary form.
type ExportEntry struct {
	Realtime, Monotonic uint64
	BootID              string // 32 hex digits
	Fields              [][2]string
}

// Export encodes entries in the journal export format
// (systemd.io JOURNAL_EXPORT_FORMATS).
func Export(entries []ExportEntry) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		fmt.Fprintf(&b, "__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n", e.Realtime, e.Monotonic, e.BootID)
		for _, f := range e.Fields {
			if strings.ContainsAny(f[1], "\n") || !isText(f[1]) {
				b.WriteString(f[0])
				b.WriteByte('\n')
				var n [8]byte
				binary.LittleEndian.PutUint64(n[:], uint64(len(f[1])))
				b.Write(n[:])
				b.WriteString(f[1])
				b.WriteByte('\n')
				continue
			}
			fmt.Fprintf(&b, "%s=%s\n", f[0], f[1])
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func isText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 && s[i] != '\t' {
			return false
		}
	}
	return true
}

// WriteWithRemote writes entries to the journal file path with
// systemd-journal-remote (appending when the file exists); env is added to
// its environment (SYSTEMD_JOURNAL_COMPACT=0 writes the regular, 64-bit
// layout). It returns an error wrapping os.ErrNotExist when the tool is not
// installed.
func WriteWithRemote(path string, entries []ExportEntry, env ...string) error {
	if _, err := os.Stat(RemoteBinary); err != nil {
		return fmt.Errorf("%s (Debian package systemd-journal-remote): %w", RemoteBinary, err)
	}
	cmd := exec.Command(RemoteBinary, "--split-mode=none", "-o", path, "-")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(Export(entries))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("systemd-journal-remote -o %s: %v: %s", path, err, stderr.String())
	}
	return nil
}

// ErrNoRemote tells whether err is WriteWithRemote's "not installed".
func ErrNoRemote(err error) bool { return errors.Is(err, os.ErrNotExist) }

// JournalctlJSON runs journalctl --file path -o json --all and returns one
// map per entry: the oracle tests compare the reader with. Values are
// strings, or for binary values the bytes (journalctl prints them as
// arrays of numbers).
func JournalctlJSON(path string) ([]map[string]any, error) {
	out, err := exec.Command("journalctl", "--file", path, "-o", "json", "--all", "--no-pager").Output()
	if err != nil {
		return nil, fmt.Errorf("journalctl --file %s: %w", path, err)
	}
	var res []map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("journalctl output: %w", err)
		}
		for k, v := range m {
			if arr, ok := v.([]any); ok {
				b := make([]byte, len(arr))
				for i, x := range arr {
					n, _ := x.(float64)
					b[i] = byte(n)
				}
				m[k] = string(b)
			}
		}
		res = append(res, m)
	}
	return res, nil
}

// Writer is a systemd-journal-remote process writing to one journal file as
// entries are sent to it, so the file stays open (state ONLINE) and grows
// while a reader follows it, as journald's system.journal does.
type Writer struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr bytes.Buffer
}

// StartWriter starts systemd-journal-remote writing to path.
func StartWriter(path string, env ...string) (*Writer, error) {
	if _, err := os.Stat(RemoteBinary); err != nil {
		return nil, fmt.Errorf("%s (Debian package systemd-journal-remote): %w", RemoteBinary, err)
	}
	w := &Writer{cmd: exec.Command(RemoteBinary, "--split-mode=none", "-o", path, "-")}
	w.cmd.Env = append(os.Environ(), env...)
	w.cmd.Stderr = &w.stderr
	in, err := w.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	w.stdin = in
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	return w, nil
}

// Write sends entries to the writer.
func (w *Writer) Write(entries []ExportEntry) error {
	_, err := w.stdin.Write(Export(entries))
	return err
}

// Close ends the input and waits for the writer to finish the file.
func (w *Writer) Close() error {
	w.stdin.Close()
	if err := w.cmd.Wait(); err != nil {
		return fmt.Errorf("systemd-journal-remote: %v: %s", err, w.stderr.String())
	}
	return nil
}

// NeedRemote skips the test outside CI, and fails it in CI, when
// systemd-journal-remote is not installed (make debs installs it).
func NeedRemote(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(RemoteBinary); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing in CI: make debs installs systemd-journal-remote", RemoteBinary)
		}
		t.Skipf("%s not installed (make debs)", RemoteBinary)
	}
}
