package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sluiceBin is the binary under test, built once by TestMain.
var sluiceBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sluice-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sluiceBin = filepath.Join(dir, "sluice")
	build := exec.Command("go", "build", "-o", sluiceBin, "../cmd/sluice")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building sluice:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running sluice.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{}
	err    error
}

// syncBuffer is a bytes.Buffer safe for the process's writer goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs sluice with args and stops it (SIGKILL) when the test ends.
// Its standard input carries what stdin holds and then stays open until the
// process ends, as a log driver's pipe does: a stdin input never reaches end
// of file, so the test decides when Sluice stops. startEOF ends it instead,
// and an *os.File stdin (one end of a pipe the test holds) is given to the
// process as it is: the test ends it by closing its end.
func start(t *testing.T, stdin io.Reader, args ...string) *process {
	t.Helper()
	return startFed(t, stdin, true, args...)
}

// startEOF is start with a standard input that ends after stdin's data:
// like Fluent Bit, Sluice then delivers what it read and exits by itself.
func startEOF(t *testing.T, stdin io.Reader, args ...string) *process {
	t.Helper()
	return startFed(t, stdin, false, args...)
}

func startFed(t *testing.T, stdin io.Reader, keepOpen bool, args ...string) *process {
	t.Helper()
	p := &process{t: t, cmd: exec.Command(sluiceBin, args...), done: make(chan struct{})}
	if f, ok := stdin.(*os.File); ok {
		// The test holds the pipe's other end: closing it is the end of
		// file, after which Sluice delivers and exits.
		p.cmd.Stdin = f
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p.watch()
		return p
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdin = pr
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	err = p.cmd.Start()
	pr.Close()
	if err != nil {
		pw.Close()
		t.Fatal(err)
	}
	p.watch()
	go func() {
		if stdin != nil {
			if _, err := io.Copy(pw, stdin); err != nil {
				io.Copy(io.Discard, stdin) // sluice exited: never block the test's writer
			}
		}
		if !keepOpen {
			pw.Close()
		}
	}()
	go func() { <-p.done; pw.Close() }()
	return p
}

// watch waits for the started process in the background and kills it
// (SIGKILL) when the test ends if it is still running.
func (p *process) watch() {
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	p.t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if p.t.Failed() {
			p.t.Logf("sluice stderr:\n%s", p.stderr.String())
		}
	})
}

// stop sends sig and waits up to timeout for the exit; it returns the
// exit code. A process that has already exited is not signalled.
func (p *process) stop(sig syscall.Signal, timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	default:
	}
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.t.Fatal(err)
	}
	return p.wait(timeout)
}

func (p *process) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("sluice did not exit within %s; stderr:\n%s", timeout, p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

// rssKB reads the process's resident set size from /proc.
func (p *process) rssKB() int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%d", &kb)
			return kb
		}
	}
	return -1
}

// run executes sluice to completion and returns stdout, stderr, exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(sluiceBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// eventually polls cond every 20 ms for up to timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jsonLines reads a file of one JSON object per line.
func jsonLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	// A file being written may end in the middle of a line: only complete
	// lines (ending in a newline) count, so a poll never reads half a record.
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	} else {
		data = nil
	}
	var out []map[string]any
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s: line %q is not a JSON object: %v", path, line, err)
		}
		out = append(out, m)
	}
	return out
}

// freePort returns a TCP port free on 127.0.0.1 at the time of the call.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// getJSON fetches url and decodes its JSON body into v, returning the status.
func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: body %q is not JSON: %v", url, body, err)
		}
	}
	return resp.StatusCode
}

// getText fetches url and returns the status and body.
func getText(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// checkSequence verifies that the "seq" field of records holds each of
// 0..n-1 exactly once, reporting missing and duplicated numbers apart.
func checkSequence(t *testing.T, records []map[string]any, field string, n int) {
	t.Helper()
	seen := make(map[int]int, n)
	for _, r := range records {
		v, ok := r[field].(float64)
		if !ok {
			t.Fatalf("record without numeric %q: %v", field, r)
		}
		seen[int(v)]++
	}
	var missing, dup []int
	for i := 0; i < n; i++ {
		switch seen[i] {
		case 0:
			missing = append(missing, i)
		case 1:
		default:
			dup = append(dup, i)
		}
	}
	if len(missing) > 0 || len(dup) > 0 || len(records) != n {
		t.Fatalf("%d records; missing %d %v; duplicated %d %v", len(records), len(missing), head(missing), len(dup), head(dup))
	}
}

func head(s []int) []int {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}
