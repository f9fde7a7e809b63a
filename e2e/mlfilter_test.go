package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"
)

// mlfJavaTrace and mlfPythonTrace are real-shaped traces numbered by i.
func mlfJavaTrace(i int) []string {
	return []string{
		fmt.Sprintf("java.lang.IllegalStateException: Failed to process order %d", i),
		"\tat com.example.orders.OrderService.process(OrderService.java:87)",
		"\tat com.example.orders.OrderController.create(OrderController.java:41)",
		"\t... 48 common frames omitted",
		fmt.Sprintf("Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - request %d timed out", i),
		"\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
		"\t... 12 more",
	}
}

func mlfPythonTrace(i int) []string {
	return []string{
		"Traceback (most recent call last):",
		`  File "/app/handlers.py", line 12, in handle`,
		`    result = compute(payload["value"])`,
		`  File "/app/compute.py", line 4, in compute`,
		"    return 10 / value",
		fmt.Sprintf("ZeroDivisionError: division by zero in request %d", i),
	}
}

// mlfCheck checks that recs are, for each i < n, the line "request i"
// then trace(i) joined into one record, both numbered seq i.
func mlfCheck(t *testing.T, recs []map[string]any, n int, trace func(int) []string) {
	t.Helper()
	if len(recs) != 2*n {
		t.Fatalf("%d records, want %d", len(recs), 2*n)
	}
	for i := 0; i < n; i++ {
		plain, joined := recs[2*i], recs[2*i+1]
		if plain["log"] != fmt.Sprintf("request %d", i) || plain["seq"] != float64(i) {
			t.Fatalf("record %d: %v, want request %d", 2*i, plain, i)
		}
		if want := strings.Join(trace(i), "\n"); joined["log"] != want || joined["seq"] != float64(i) || joined["line"] != float64(1) {
			t.Fatalf("record %d: %v\nwant the trace of %d joined:\n%s", 2*i+1, joined, i, want)
		}
	}
}

// TestMultilineFilterForwardTraces sends numbered Java and Python traces
// line by line over forward, one message per line and two tags in turn,
// so every line is its own batch: the filter (buffer on) joins each trace
// across batches and re-emits it through its emitter. The last trace of
// each tag has no next line and flush_ms is long, so only the shutdown
// drain can deliver it: it must arrive after SIGTERM.
func TestMultilineFilterForwardTraces(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	port := freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush 0.2
    Grace 5

[INPUT]
    Name   forward
    Listen 127.0.0.1
    Port   %d

[FILTER]
    Name                  multiline
    Match                 app.*
    multiline.key_content log
    multiline.parser      java, python
    flush_ms              60000
    Emitter_Name          ml_emitter

[OUTPUT]
    Name   file
    Match  app.*
    Path   %s
    Format plain
    Mkdir  On
`, port, out))
	p := start(t, nil, "-c", cfg)
	fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	logger, err := fluent.New(fluent.Config{FluentHost: "127.0.0.1", FluentPort: port, Timeout: 5 * time.Second,
		WriteTimeout: 5 * time.Second, MaxRetry: 3})
	if err != nil {
		t.Fatal(err)
	}
	const n = 25
	post := func(tag string, seq, line int, text string) {
		if err := logger.Post(tag, map[string]any{"log": text, "seq": seq, "line": line, "pod": "web-1"}); err != nil {
			t.Fatalf("post %s %d/%d: %v", tag, seq, line, err)
		}
	}
	for i := 0; i < n; i++ {
		post("app.java", i, 0, fmt.Sprintf("request %d", i))
		post("app.py", i, 0, fmt.Sprintf("request %d", i))
		java, py := mlfJavaTrace(i), mlfPythonTrace(i)
		for j := 0; j < max(len(java), len(py)); j++ {
			if j < len(java) {
				post("app.java", i, j+1, java[j])
			}
			if j < len(py) {
				post("app.py", i, j+1, py[j])
			}
		}
	}
	if err := logger.Close(); err != nil {
		t.Fatal(err)
	}
	javaOut, pyOut := filepath.Join(out, "app.java"), filepath.Join(out, "app.py")
	eventually(t, 20*time.Second, "every record but the last trace of each tag", func() bool {
		return len(jsonLines(t, javaOut)) >= 2*n-1 && len(jsonLines(t, pyOut)) >= 2*n-1
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, p.stderr.String())
	}
	java, py := jsonLines(t, javaOut), jsonLines(t, pyOut)
	mlfCheck(t, java, n, mlfJavaTrace)
	mlfCheck(t, py, n, mlfPythonTrace)
	if java[1]["pod"] != "web-1" {
		t.Errorf("a joined record lost the first line's other keys: %v", java[1])
	}
}

// TestMultilineFilterCRIFlushMs feeds raw CRI lines on stdin, every trace
// line cut into P pieces and the lines of stdout and stderr interleaved;
// multiline.parser cri, java joins the pieces and then the traces. The
// stream ends in a trace: flush_ms's timer must emit it while sluice runs.
func TestMultilineFilterCRIFlushMs(t *testing.T) {
	const n = 20
	var in strings.Builder
	k := 0
	write := func(stream, tag, text string) {
		b, _ := json.Marshal(map[string]any{"log": "2024-05-01T12:00:00.123456789Z " + stream + " " + tag + " " + text, "k": k})
		in.Write(append(b, '\n'))
		k++
	}
	for i := 0; i < n; i++ {
		write("stdout", "F", fmt.Sprintf("request %d", i))
		for _, line := range mlfJavaTrace(i) {
			for len(line) > 25 { // the runtime splits long lines
				write("stderr", "P", line[:25])
				line = line[25:]
				write("stdout", "F", fmt.Sprintf("tick %d", k)) // stdout goes on meanwhile
			}
			write("stderr", "F", line)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush 0.2

[INPUT]
    Name stdin
    Tag  kube.web

[FILTER]
    Name             multiline
    Match            kube.*
    multiline.parser cri, java
    flush_ms         300

[OUTPUT]
    Name   file
    Match  kube.*
    Path   %s
    File   web.log
    Format plain
    Mkdir  On
`, out))
	p := start(t, strings.NewReader(in.String()), "-c", cfg)
	path := filepath.Join(out, "web.log")
	var traces []map[string]any
	eventually(t, 20*time.Second, "all traces, the last one emitted by the flush_ms timer", func() bool {
		traces = traces[:0]
		for _, r := range jsonLines(t, path) {
			if r["stream"] == "stderr" {
				traces = append(traces, r)
			}
		}
		return len(traces) >= n
	})
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var requests int
	for _, r := range jsonLines(t, path) {
		if s, _ := r["log"].(string); strings.HasPrefix(s, "request ") {
			if r["log"] != fmt.Sprintf("request %d", requests) || r["stream"] != "stdout" {
				t.Fatalf("stdout record %v, want request %d", r, requests)
			}
			requests++
		}
	}
	if requests != n {
		t.Errorf("%d request lines, want %d", requests, n)
	}
	traces = traces[:0]
	for _, r := range jsonLines(t, path) {
		if r["stream"] == "stderr" {
			traces = append(traces, r)
		}
	}
	if len(traces) != n {
		t.Fatalf("%d traces, want %d", len(traces), n)
	}
	for i, r := range traces {
		if want := strings.Join(mlfJavaTrace(i), "\n"); r["log"] != want {
			t.Fatalf("trace %d: %q\nwant %q", i, r["log"], want)
		}
	}
}

// TestMultilineFilterPartialMessage sends what Docker's fluentd log driver
// sends for lines longer than 16 KiB: pieces marked with partial_message,
// partial_id, partial_ordinal and partial_last, here two containers' split
// lines interleaved with unsplit ones, over forward. mode partial_message
// must deliver each numbered line whole, without the partial_* keys.
func TestMultilineFilterPartialMessage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	port := freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush 0.2

[INPUT]
    Name   forward
    Listen 127.0.0.1
    Port   %d

[FILTER]
    Name                  multiline
    Match                 docker.*
    mode                  partial_message
    multiline.key_content log

[OUTPUT]
    Name   file
    Match  docker.*
    Path   %s
    Format plain
    Mkdir  On
`, port, out))
	p := start(t, nil, "-c", cfg)
	fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	logger, err := fluent.New(fluent.Config{FluentHost: "127.0.0.1", FluentPort: port, Timeout: 5 * time.Second,
		WriteTimeout: 5 * time.Second, MaxRetry: 3})
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	long := func(c string, i int) string { return fmt.Sprintf("%s line %d ", c, i) + strings.Repeat("x", 40000) }
	for i := 0; i < n; i++ {
		for _, c := range []string{"web", "db"} {
			if err := logger.Post("docker."+c, map[string]any{"log": fmt.Sprintf("%s short %d", c, i), "seq": 2 * i, "container_name": c}); err != nil {
				t.Fatal(err)
			}
		}
		// The pieces of both containers' long lines, interleaved.
		pieces := map[string][]string{}
		for _, c := range []string{"web", "db"} {
			s := long(c, i)
			for len(s) > 16384 {
				pieces[c] = append(pieces[c], s[:16384])
				s = s[16384:]
			}
			pieces[c] = append(pieces[c], s)
		}
		for j := range pieces["web"] {
			for _, c := range []string{"web", "db"} {
				rec := map[string]any{"log": pieces[c][j], "seq": 2*i + 1, "container_name": c, "partial_message": "true",
					"partial_id": fmt.Sprintf("%s-%d", c, i), "partial_ordinal": fmt.Sprint(j + 1),
					"partial_last": fmt.Sprint(j == len(pieces[c])-1)}
				if err := logger.Post("docker."+c, rec); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := logger.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"web", "db"} {
		recs := fwdWaitRecords(t, filepath.Join(out, "docker."+c), 2*n)
		for k, r := range recs {
			want := fmt.Sprintf("%s short %d", c, k/2)
			if k%2 == 1 {
				want = long(c, k/2)
			}
			if r["log"] != want || r["container_name"] != c || r["partial_id"] != nil || r["partial_message"] != nil {
				t.Fatalf("%s record %d: log of %d bytes, keys %v; want %d bytes without partial_*", c, k, len(fmt.Sprint(r["log"])), len(r), len(want))
			}
		}
	}
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, c := range []string{"web", "db"} {
		checkSequence(t, jsonLines(t, filepath.Join(out, "docker."+c)), "seq", 2*n)
	}
}
