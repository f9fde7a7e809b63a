package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// numberedLines returns n JSON lines {"seq":i,"msg":"..."} for stdin.
func numberedLines(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"seq":%d,"msg":"line %d of the e2e run","level":"info"}`+"\n", i, i)
	}
	return b.String()
}

const classicPipeline = `
[SERVICE]
    Flush      0.2
    Grace      5
    Log_Level  info

[INPUT]
    Name   stdin
    Tag    app.numbers

[INPUT]
    Name     dummy
    Tag      security.audit
    Dummy    {"event": "login", "user": "alice"}
    Samples  3
    Rate     100

[OUTPUT]
    Name    file
    Match   app.*
    Path    %[1]s
    File    app.log
    Format  plain
    Mkdir   On

[OUTPUT]
    Name        file
    Match_Regex ^security\.
    Path        %[1]s
    File        security.log
    Format      plain
    Mkdir       On
`

const yamlPipeline = `
service:
  flush: 0.2
  grace: 5
  log_level: info

pipeline:
  inputs:
    - name: stdin
      tag: app.numbers
    - name: dummy
      tag: security.audit
      dummy: '{"event": "login", "user": "alice"}'
      samples: 3
      rate: 100

  outputs:
    - name: file
      match: 'app.*'
      path: %[1]s
      file: app.log
      format: plain
      mkdir: on
    - name: file
      match_regex: '^security\.'
      path: %[1]s
      file: security.log
      format: plain
      mkdir: on
`

// TestClassicAndYAMLConfigsDeliverTheSameRecords runs the binary once with
// a classic config and once with its YAML twin, feeds numbered records on
// stdin, and checks that every record arrives exactly once in the file
// output its tag routes to.
func TestClassicAndYAMLConfigsDeliverTheSameRecords(t *testing.T) {
	const n = 20000
	for _, format := range []struct{ name, file, body string }{
		{"classic", "sluice.conf", classicPipeline},
		{"yaml", "sluice.yaml", yamlPipeline},
	} {
		t.Run(format.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			cfg := writeFile(t, dir, format.file, fmt.Sprintf(format.body, out))
			p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
			eventually(t, 20*time.Second, "all records in app.log", func() bool {
				return len(jsonLines(t, filepath.Join(out, "app.log"))) >= n &&
					len(jsonLines(t, filepath.Join(out, "security.log"))) >= 3
			})
			if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
				t.Fatalf("exit code %d after SIGTERM", code)
			}
			app := jsonLines(t, filepath.Join(out, "app.log"))
			checkSequence(t, app, "seq", n)
			if app[0]["msg"] != "line 0 of the e2e run" || app[0]["level"] != "info" {
				t.Errorf("first record fields: %v", app[0])
			}
			sec := jsonLines(t, filepath.Join(out, "security.log"))
			if len(sec) != 3 || sec[0]["user"] != "alice" {
				t.Errorf("security.log: %v", sec)
			}
			for _, r := range sec {
				if _, leaked := r["seq"]; leaked {
					t.Fatalf("an app record was routed to security.log: %v", r)
				}
			}
		})
	}
}

// TestSIGTERMFlushesBufferedRecordsWithinGrace buffers records behind a
// flush interval of an hour, so only the shutdown path can deliver them.
func TestSIGTERMFlushesBufferedRecordsWithinGrace(t *testing.T) {
	const n = 5000
	dir := t.TempDir()
	port := freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush        3600
    Grace        10
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    out.log
    Format  plain
`, port, dir))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", port)
	eventually(t, 20*time.Second, "records ingested", func() bool {
		var m struct {
			Input map[string]struct{ Records int } `json:"input"`
		}
		if code, body, err := getText(url); err != nil || code != 200 || !strings.Contains(body, `"records"`) {
			return false
		}
		getJSON(t, url, &m)
		return m.Input["stdin.0"].Records == n
	})
	if got := len(jsonLines(t, filepath.Join(dir, "out.log"))); got != 0 {
		t.Fatalf("%d records delivered before shutdown with Flush 3600; the test cannot tell shutdown flushing apart", got)
	}
	began := time.Now()
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	checkSequence(t, jsonLines(t, filepath.Join(dir, "out.log")), "seq", n)
	t.Logf("shutdown delivered %d records in %s", n, time.Since(began).Round(time.Millisecond))
}

// TestQuickFlags checks Fluent Bit's command-line pipeline form.
func TestQuickFlags(t *testing.T) {
	p := start(t, nil, "-i", "dummy", "-p", `dummy={"msg":"quick"}`, "-p", "samples=2", "-t", "q.tag",
		"-o", "stdout", "-p", "format=json_lines", "-m", "q.*", "-f", "0.1")
	eventually(t, 10*time.Second, "two records on stdout", func() bool {
		return strings.Count(p.stdout.String(), `"msg":"quick"`) == 2
	})
	if code := p.stop(syscall.SIGINT, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGINT", code)
	}
}
