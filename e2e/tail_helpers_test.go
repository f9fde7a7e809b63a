package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tailRotation is how a tailWriter rotates its file.
type tailRotation int

const (
	tailRename       tailRotation = iota // logrotate's default: rename, then create
	tailCopyTruncate                     // logrotate's copytruncate: copy, then truncate in place
)

// tailWriter writes numbered lines "<id> seq=<n> <padding>" to one log
// file through a small buffer (so writes cut lines anywhere, as real
// loggers' do), rotating it every perFile lines.
type tailWriter struct {
	t        *testing.T
	id       string
	path     string
	perFile  int
	rotation tailRotation
	keep     int                 // rotated files kept; older ones are deleted (0 keeps all)
	format   func(string) string // wraps a line (e.g. in CRI framing); nil writes it as is
	// beforeTruncate, in copytruncate mode, waits until the reader has
	// read what was written; afterTruncate until it noticed the
	// truncation. Copytruncate loses lines otherwise, by its nature.
	beforeTruncate func(written int)
	afterTruncate  func(truncations int)

	f         *os.File
	w         *bufio.Writer
	next      int // next sequence number
	inFile    int
	rotations int
}

func (w *tailWriter) open() {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		w.t.Error(err)
		return
	}
	w.f, w.w = f, bufio.NewWriterSize(f, 4096)
}

// write writes n more lines, pausing every burst lines for pause (a rate
// limit, so the reader is not starved of the machine's CPU).
func (w *tailWriter) write(n, burst int, pause time.Duration) {
	if w.f == nil {
		w.open()
	}
	pad := strings.Repeat("x", 40)
	for i := 0; i < n; i++ {
		line := fmt.Sprintf("%s seq=%09d %s", w.id, w.next, pad[:w.next%40])
		if w.format != nil {
			line = w.format(line)
		}
		w.w.WriteString(line)
		w.w.WriteByte('\n')
		w.next++
		w.inFile++
		if w.inFile == w.perFile {
			w.rotate()
		}
		if burst > 0 && (i+1)%burst == 0 {
			w.w.Flush()
			time.Sleep(pause)
		}
	}
	w.w.Flush()
}

func (w *tailWriter) rotate() {
	w.w.Flush()
	w.rotations++
	w.inFile = 0
	rotated := fmt.Sprintf("%s.%d", w.path, w.rotations)
	switch w.rotation {
	case tailRename:
		w.f.Close()
		if err := os.Rename(w.path, rotated); err != nil {
			w.t.Error(err)
		}
		w.open()
	case tailCopyTruncate:
		if w.beforeTruncate != nil {
			w.beforeTruncate(w.next)
		}
		data, err := os.ReadFile(w.path)
		if err != nil {
			w.t.Error(err)
		}
		os.WriteFile(rotated, data, 0o644)
		if err := w.f.Truncate(0); err != nil {
			w.t.Error(err)
		}
		if w.afterTruncate != nil {
			w.afterTruncate(w.rotations)
		}
	}
	if w.keep > 0 {
		os.Remove(fmt.Sprintf("%s.%d", w.path, w.rotations-w.keep))
	}
}

func (w *tailWriter) close() {
	if w.f != nil {
		w.w.Flush()
		w.f.Close()
	}
}

// tailOutput reads a file output's JSON lines as they arrive and counts
// each writer's sequence numbers.
type tailOutput struct {
	t    *testing.T
	path string
	off  int64
	mu   sync.Mutex
	seen map[string][]int // writer id -> count per sequence number
	recs []map[string]any // every record, when keep is set
	keep bool
}

// tailOutputAt reads the file output at path.
func tailOutputAt(t *testing.T, path string) *tailOutput {
	return &tailOutput{t: t, path: path, seen: map[string][]int{}}
}

// poll reads the complete lines added since the last poll.
func (o *tailOutput) poll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := os.Open(o.path)
	if err != nil {
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.NewSectionReader(f, o.off, 1<<40))
	if err != nil {
		o.t.Fatal(err)
	}
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return
	}
	o.off += int64(end + 1)
	for _, line := range bytes.Split(data[:end], []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			o.t.Fatalf("output line %q: %v", line, err)
		}
		if o.keep {
			o.recs = append(o.recs, rec)
		}
		log, _ := rec["log"].(string)
		var id string
		var seq int
		if _, err := fmt.Sscanf(log, "%s seq=%d", &id, &seq); err != nil {
			continue
		}
		counts := o.seen[id]
		for len(counts) <= seq {
			counts = append(counts, 0)
		}
		counts[seq]++
		o.seen[id] = counts
	}
}

// has reports whether writer id's lines 0..n-1 all arrived.
func (o *tailOutput) has(id string, n int) bool {
	o.poll()
	o.mu.Lock()
	defer o.mu.Unlock()
	counts := o.seen[id]
	if len(counts) < n {
		return false
	}
	for _, c := range counts[:n] {
		if c == 0 {
			return false
		}
	}
	return true
}

// waitAll waits until every writer's lines arrived, then checks each line
// arrived exactly once and no line beyond them did.
func (o *tailOutput) waitAll(timeout time.Duration, writers ...*tailWriter) {
	o.t.Helper()
	deadline := time.Now().Add(timeout)
	for _, w := range writers {
		for !o.has(w.id, w.next) {
			if time.Now().After(deadline) {
				o.t.Fatalf("timed out: %s", o.report(writers))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	o.poll()
	if r := o.report(writers); r != "" {
		o.t.Fatal(r)
	}
}

// report lists, per writer, missing and duplicated lines; "" when every
// line arrived exactly once.
func (o *tailOutput) report(writers []*tailWriter) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for _, w := range writers {
		var missing, dup []int
		counts := o.seen[w.id]
		for i := 0; i < w.next || i < len(counts); i++ {
			c := 0
			if i < len(counts) {
				c = counts[i]
			}
			switch {
			case c == 0:
				missing = append(missing, i)
			case c > 1 || i >= w.next:
				dup = append(dup, i)
			}
		}
		if len(missing) > 0 || len(dup) > 0 {
			fmt.Fprintf(&b, "%s: %d lines written; missing %d %v; duplicated %d %v\n",
				w.id, w.next, len(missing), head(missing), len(dup), head(dup))
		}
	}
	return b.String()
}

// tailConfig writes a classic configuration with the given [INPUT] tail
// body, a file output of every record to out/all.log, and returns its path.
func tailConfig(t *testing.T, dir, input string) string {
	return writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush      0.2
    Grace      5
    Log_Level  info

[INPUT]
    Name  tail
%s

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    all.log
    Format  plain
    Mkdir   On
`, input, filepath.Join(dir, "out")))
}

// tailCount counts the occurrences of s in the process's stderr.
func tailCount(p *process, s string) int { return strings.Count(p.stderr.String(), s) }
