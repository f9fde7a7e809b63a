package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// prometheusValue returns the value of the sample `name{name="instance"}`.
func prometheusValue(t *testing.T, port int, metric, instance string) float64 {
	t.Helper()
	code, body, err := getText(fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics/prometheus", port))
	if err != nil || code != 200 {
		t.Fatalf("prometheus endpoint: %d %v", code, err)
	}
	prefix := fmt.Sprintf(`%s{name="%s"} `, metric, instance)
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, prefix) {
			v, err := strconv.ParseFloat(strings.Fields(strings.TrimPrefix(line, prefix))[0], 64)
			if err != nil {
				t.Fatalf("bad sample %q", line)
			}
			return v
		}
	}
	t.Fatalf("no sample %s for %s in:\n%s", metric, instance, body)
	return 0
}

// TestMemBufLimitBoundsMemoryWhileOutputIsBlocked points the file output at
// a named pipe nobody reads, so every flush blocks. A fast dummy input must
// then pause at its Mem_Buf_Limit: buffered bytes and RSS stay bounded.
// When a reader appears, delivery resumes.
func TestMemBufLimitBoundsMemoryWhileOutputIsBlocked(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "blocked.log")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	const limit = 1 << 20
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush        0.1
    Grace        1
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d

[INPUT]
    Name           dummy
    Tag            load
    Dummy          {"log": "a line of about one hundred bytes, repeated as fast as the input may produce it........"}
    Rate           200000
    Mem_Buf_Limit  1M

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    blocked.log
    Format  plain
`, port, dir))
	p := start(t, nil, "-c", cfg)
	eventually(t, 10*time.Second, "the monitoring server", func() bool {
		code, _, err := getText(fmt.Sprintf("http://127.0.0.1:%d/api/v1/uptime", port))
		return err == nil && code == 200
	})
	eventually(t, 10*time.Second, "the input to pause", func() bool {
		return prometheusValue(t, port, "sluice_input_paused_total", "dummy.0") > 0
	})
	var peakRSS int
	var records []float64
	for i := 0; i < 15; i++ {
		buffered := prometheusValue(t, port, "sluice_input_buffered_bytes", "dummy.0")
		// One batch may pass the limit (Fluent Bit's semantics); a dummy
		// batch is at most a few hundred KiB at this rate.
		if buffered > 2*limit {
			t.Fatalf("buffered %.0f bytes with Mem_Buf_Limit 1M", buffered)
		}
		peakRSS = max(peakRSS, p.rssKB())
		records = append(records, prometheusValue(t, port, "fluentbit_input_records_total", "dummy.0"))
		time.Sleep(200 * time.Millisecond)
	}
	if records[len(records)-1] != records[0] {
		t.Errorf("input kept producing while paused: %.0f -> %.0f records", records[0], records[len(records)-1])
	}
	if peakRSS > 64*1024 {
		t.Errorf("peak RSS %d KiB while paused at a 1 MiB limit", peakRSS)
	}
	t.Logf("paused at %.0f records; peak RSS %d KiB", records[0], peakRSS)

	// A reader unblocks the output: records flow again and reach the pipe.
	reader, err := os.Open(fifo)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	// The file output reopens the pipe at every flush, so the reader
	// sees an end of file between flushes and must keep reading.
	lines := make(chan int, 1)
	stopReading := make(chan struct{})
	defer close(stopReading)
	go func() {
		n, buf := 0, make([]byte, 64<<10)
		for {
			select {
			case <-stopReading:
				return
			default:
			}
			k, err := reader.Read(buf)
			n += bytes.Count(buf[:k], []byte("\n"))
			if n >= 1000 {
				select {
				case lines <- n:
				default:
				}
			}
			if err != nil {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}()
	select {
	case <-lines:
	case <-time.After(10 * time.Second):
		t.Fatal("no records reached the pipe after a reader opened it")
	}
	eventually(t, 10*time.Second, "the input to resume", func() bool {
		return prometheusValue(t, port, "fluentbit_input_records_total", "dummy.0") > records[0]
	})
	p.stop(syscall.SIGTERM, 15*time.Second)
}
