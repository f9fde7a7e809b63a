// Command tail measures the whole Sluice process reading a log file with
// the tail input: it writes a file of N numbered lines, runs the sluice
// binary on it with a null or file output, waits (through the monitoring
// API) until every line was delivered, stops it, and prints wall time,
// lines/s, MB/s, CPU seconds (user+system, from the child's rusage) and peak
// RSS as a BENCHMARKS.md table row.
//
//	go build -o bin/sluice ./cmd/sluice
//	go run ./bench/tail -lines 2000000 -output null
//	go run ./bench/tail -lines 2000000 -output file
//	go run ./bench/tail -lines 2000000 -output null -format cri -multiline cri
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	lines := flag.Int("lines", 2000000, "lines in the file")
	size := flag.Int("size", 200, "bytes per line, newline included (at least 40)")
	output := flag.String("output", "null", "null or file")
	format := flag.String("format", "plain", "plain text lines, or cri (CRI log lines)")
	ml := flag.String("multiline", "", "multiline.parser of the tail input, e.g. cri")
	bin := flag.String("bin", "bin/sluice", "the sluice binary")
	keep := flag.Bool("keep", false, "keep the work directory")
	limit := flag.String("mem_buf_limit", "32M", "Mem_Buf_Limit of the tail input (\"\" for none)")
	files := flag.Int("files", 1, "spread the lines over this many files")
	flag.Parse()
	if err := run(*lines, *files, *size, *output, *format, *ml, *limit, *bin, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench/tail:", err)
		os.Exit(1)
	}
}

func run(lines, files, size int, output, format, ml, limit, bin string, keep bool) error {
	dir, err := os.MkdirTemp("", "sluice-bench-tail-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	if files < 1 {
		files = 1
	}
	var bytes int64
	for i := 0; i < files; i++ {
		n, err := writeLog(filepath.Join(dir, fmt.Sprintf("app%d.log", i)), lines/files, size, format)
		if err != nil {
			return err
		}
		bytes += n
	}
	lines = lines / files * files
	logPath := filepath.Join(dir, "app*.log")
	port, err := freePort()
	if err != nil {
		return err
	}
	out := "[OUTPUT]\n    Name null\n    Match *\n"
	if output == "file" {
		out = fmt.Sprintf("[OUTPUT]\n    Name file\n    Match *\n    Path %s\n    File out.log\n    Format plain\n", dir)
	}
	mlLine := ""
	if ml != "" {
		mlLine = "    multiline.parser " + ml + "\n"
	}
	if limit != "" {
		mlLine += "    Mem_Buf_Limit " + limit + "\n"
	}
	conf := fmt.Sprintf(`[SERVICE]
    Flush        0.2
    Log_Level    warn
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d
[INPUT]
    Name            tail
    Path            %s
    Read_from_Head  on
%s%s`, port, logPath, mlLine, out)
	confPath := filepath.Join(dir, "sluice.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return err
	}

	cmd := exec.Command(bin, "-c", confPath)
	cmd.Stderr = os.Stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	url := fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", port)
	var wall time.Duration
	for {
		select {
		case err := <-done:
			return fmt.Errorf("sluice exited early: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if n, ok := delivered(url); ok && n >= int64(lines) {
			wall = time.Since(began)
			break
		}
		if time.Since(began) > 10*time.Minute {
			cmd.Process.Kill()
			return fmt.Errorf("not every line delivered after 10 minutes")
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	<-done
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	mb := float64(bytes) / (1 << 20)
	fmt.Printf("| %s | tail → %s | %s | %d in %d files | %d MiB | %.2f s | %.0f k | %.0f | %.2f s | %d MiB |\n",
		time.Now().UTC().Format("2006-01-02"), output, describe(format, ml), lines, files, int(mb), wall.Seconds(),
		float64(lines)/wall.Seconds()/1000, mb/wall.Seconds(), cpu.Seconds(), ru.Maxrss/1024)
	return nil
}

func describe(format, ml string) string {
	if ml == "" {
		return format
	}
	return format + ", multiline.parser " + ml
}

// writeLog writes n numbered lines of about size bytes.
func writeLog(path string, n, size int, format string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	pad := strings.Repeat("abcdefghij", size/10+1)
	var total int64
	for i := 0; i < n; i++ {
		head := fmt.Sprintf("seq=%010d level=info msg=\"", i)
		if format == "cri" {
			head = "2024-05-01T12:00:00.123456789Z stdout F " + head
		}
		body := size - len(head) - 2
		if body < 0 {
			body = 0
		}
		k, _ := fmt.Fprintf(w, "%s%s\"\n", head, pad[:body])
		total += int64(k)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return total, f.Close()
}

// delivered returns the records every output has processed.
func delivered(url string) (int64, bool) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	var m struct {
		Output map[string]struct {
			ProcRecords int64 `json:"proc_records"`
		} `json:"output"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return 0, false
	}
	var n int64
	for _, o := range m.Output {
		n += o.ProcRecords
	}
	return n, len(m.Output) > 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
