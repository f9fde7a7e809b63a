package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStorageWholeProcess runs the built binary on 200,000 numbered
// lines of about 200 bytes from a file on standard input to the null
// output, with the stdin input's storage.type memory, filesystem with
// storage.sync normal, and filesystem with storage.sync full; it reports
// records per second from start to the last record delivered (polled on the
// monitoring server every 20 ms), startup included.
//
//	go test -run XXX -bench StorageWholeProcess -benchtime 3x ./e2e/
func BenchmarkStorageWholeProcess(b *testing.B) {
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
	for _, mode := range []struct{ name, service, input string }{
		{"memory", "", ""},
		{"filesystem/sync=normal", "storage.sync normal", "storage.type filesystem"},
		{"filesystem/sync=full", "storage.sync full", "storage.type filesystem"},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var total time.Duration
			for i := 0; b.Loop(); i++ {
				port := storFreePort(b)
				buffer := filepath.Join(dir, fmt.Sprintf("buffer-%s-%d", strings.ReplaceAll(mode.name, "/", "-"), i))
				cfg := filepath.Join(dir, "bench.conf")
				os.WriteFile(cfg, []byte(fmt.Sprintf(`
[SERVICE]
    Flush        0.2
    Grace        5
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d
    storage.path %s
    %s
[INPUT]
    Name  stdin
    Tag   bench
    %s
[OUTPUT]
    Name   null
    Match  *
`, port, buffer, mode.service, mode.input)), 0o644)
				f, err := os.Open(input)
				if err != nil {
					b.Fatal(err)
				}
				begin := time.Now()
				p := storStartBench(b, f, "-c", cfg)
				f.Close()
				for {
					v, _ := storPromValue(port, "fluentbit_output_proc_records_total", "null.0")
					if int(v) >= n {
						break
					}
					if time.Since(begin) > 2*time.Minute {
						b.Fatalf("only %.0f of %d records after 2 minutes", v, n)
					}
					time.Sleep(20 * time.Millisecond)
				}
				total += time.Since(begin)
				p.Process.Signal(syscall.SIGTERM)
				p.Wait()
			}
			b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "records/s")
		})
	}
}

// storFreePort is freePort for benchmarks.
func storFreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// storStartBench starts the binary with stdin, its output discarded, and
// kills it when the benchmark ends if it is still running.
func storStartBench(tb testing.TB, stdin *os.File, args ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(sluiceBin, args...)
	cmd.Stdin = stdin
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}
