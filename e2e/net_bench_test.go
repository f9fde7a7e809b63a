package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkHTTPOutputWholeProcess runs the built binary on 200,000
// numbered lines of about 200 bytes from a file on standard input to the
// http output (json_lines, plain and gzip) and to the es output, each
// into a local sink that counts the records it receives; it reports
// records/s and the sink's uncompressed MB/s from start to the last record,
// startup included.
//
//	go test -run XXX -bench HTTPOutputWholeProcess -benchtime 3x ./e2e/
func BenchmarkHTTPOutputWholeProcess(b *testing.B) {
	const n = 200_000
	dir := b.TempDir()
	var lines strings.Builder
	for i := range n {
		lines.WriteString(storLine(i, 200))
	}
	input := filepath.Join(dir, "input.jsonl")
	if err := os.WriteFile(input, []byte(lines.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	var records, bytesIn atomic.Int64
	perRecordLines := int64(1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rd io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			rd, _ = gzip.NewReader(r.Body)
		}
		body, _ := io.ReadAll(rd)
		bytesIn.Add(int64(len(body)))
		records.Add(int64(bytes.Count(body, []byte{'\n'})) / perRecordLines)
		if strings.HasSuffix(r.URL.Path, "/_bulk") {
			io.WriteString(w, `{"took":1,"errors":false,"items":[]}`)
		}
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, out := range []struct{ name, section string }{
		{"http/json_lines", "Name http\n    Format json_lines"},
		{"http/json_lines+gzip", "Name http\n    Format json_lines\n    compress gzip"},
		{"es", "Name es\n    Suppress_Type_Name on"},
	} {
		b.Run(out.name, func(b *testing.B) {
			perRecordLines = 1
			if out.name == "es" {
				perRecordLines = 2
			}
			var total time.Duration
			var mb float64
			for b.Loop() {
				records.Store(0)
				bytesIn.Store(0)
				cfg := filepath.Join(dir, "bench.conf")
				os.WriteFile(cfg, []byte(fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  5
[INPUT]
    Name  stdin
    Tag   bench
[OUTPUT]
    %s
    Match    *
    Host     127.0.0.1
    Port     %d
    Workers  2
`, out.section, port)), 0o644)
				f, err := os.Open(input)
				if err != nil {
					b.Fatal(err)
				}
				begin := time.Now()
				p := storStartBench(b, f, "-c", cfg)
				f.Close()
				for records.Load() < n {
					if time.Since(begin) > 2*time.Minute {
						b.Fatalf("only %d of %d records after 2 minutes", records.Load(), n)
					}
					time.Sleep(20 * time.Millisecond)
				}
				took := time.Since(begin)
				total += took
				mb += float64(bytesIn.Load()) / 1e6
				p.Process.Signal(syscall.SIGTERM)
				p.Wait()
			}
			b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "records/s")
			b.ReportMetric(mb/total.Seconds(), "MB/s")
		})
	}
}
