package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// storConfig is a pipeline of stdin (Tag numbers) to a file output, with
// the monitoring server on port and the [SERVICE] storage keys given.
// inputExtra and outputExtra are appended to their sections.
func storConfig(t *testing.T, dir string, port int, service, inputExtra, outputExtra string) string {
	t.Helper()
	return writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.05
    Grace           2
    HTTP_Server     On
    HTTP_Listen     127.0.0.1
    HTTP_Port       %d
    scheduler.base  0.05
    scheduler.cap   0.2
    storage.metrics on
%s

[INPUT]
    Name          stdin
    Tag           numbers
%s

[OUTPUT]
    Name    file
    Match   *
    Format  plain
%s
`, port, service, inputExtra, outputExtra))
}

// storPromValue reads the sample `metric{name="instance"}` from the
// monitoring server; ok is false when the server does not answer (not
// started yet, or being killed).
func storPromValue(port int, metric, instance string) (float64, bool) {
	return dropsPromSample(port, fmt.Sprintf(`%s{name="%s"}`, metric, instance))
}

// storAcked is how many records the stdin input's filesystem buffer has
// acknowledged (written, and fsynced with storage.sync full) in the current
// process: sluice_storage_stored_records_total. The stdin input emits in
// order, so they are the first that many lines this process was sent.
func storAcked(port int) (int, bool) {
	v, ok := storPromValue(port, "sluice_storage_stored_records_total", "stdin.0")
	return int(v), ok
}

// storLine is the numbered record written for seq, padded to about size bytes.
func storLine(seq, size int) string {
	pad := max(size-40, 1)
	return fmt.Sprintf(`{"seq":%d,"pad":"%s"}`+"\n", seq, strings.Repeat("x", pad))
}

// storFeeder writes numbered lines to a Sluice's standard input from a
// goroutine, in batches, until stopped or until the pipe breaks (Sluice
// killed). Written counts whole lines only.
type storFeeder struct {
	w       *os.File
	next    int
	size    int
	batch   int
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	written int
}

func storFeed(w *os.File, from, batch, size int) *storFeeder {
	f := &storFeeder{w: w, next: from, size: size, batch: batch, stop: make(chan struct{}), done: make(chan struct{})}
	go f.run()
	return f
}

func (f *storFeeder) run() {
	defer close(f.done)
	var b strings.Builder
	for {
		select {
		case <-f.stop:
			return
		default:
		}
		b.Reset()
		for i := range f.batch {
			b.WriteString(storLine(f.next+i, f.size))
		}
		if _, err := f.w.WriteString(b.String()); err != nil {
			return
		}
		f.next += f.batch
		f.mu.Lock()
		f.written += f.batch
		f.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
}

// halt stops the feeder after its current write and returns how many
// records it wrote. The pipe stays open, so Sluice keeps running (at end of
// file it would stop by itself, as Fluent Bit does); the test closes it.
func (f *storFeeder) halt() int {
	close(f.stop)
	<-f.done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.written
}

// storDelivered counts the records per seq in the file output's file. A
// line may hold a torn write (the process killed in the middle of it)
// followed by a whole record; only whole JSON objects count.
func storDelivered(t *testing.T, path string) map[int]int {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return map[int]int{}
	}
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var rec struct {
			Seq *int `json:"seq"`
		}
		if json.Unmarshal(line, &rec) != nil {
			// A torn record glued to a whole one: the whole one is the
			// last object that parses to the end of the line.
			i := bytes.LastIndex(line, []byte(`{"seq":`))
			if i <= 0 || json.Unmarshal(line[i:], &rec) != nil {
				continue
			}
		}
		if rec.Seq != nil {
			seen[*rec.Seq]++
		}
	}
	return seen
}

// storLoss reports the records of 0..n-1 missing from seen and the
// duplicates among them.
func storLoss(seen map[int]int, n int) (missing []int, dups int) {
	for i := range n {
		switch c := seen[i]; {
		case c == 0:
			missing = append(missing, i)
		case c > 1:
			dups += c - 1
		}
	}
	return missing, dups
}

// storWaitDelivered polls the output file until it holds every record of
// 0..n-1, and returns the final counts.
func storWaitDelivered(t *testing.T, p *process, path string, n int, timeout time.Duration) map[int]int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		seen := storDelivered(t, path)
		missing, _ := storLoss(seen, n)
		if len(missing) == 0 {
			return seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, %d of %d acknowledged records are missing, e.g. %v; sluice stderr:\n%s",
				timeout, len(missing), n, head(missing), p.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// storPipe returns a pipe for a Sluice's standard input.
func storPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	return r, w
}

// storHTTP is the client of storPromValue: short timeouts, since the
// process it asks may be killed at any moment.
var storHTTP = &http.Client{Timeout: time.Second}
