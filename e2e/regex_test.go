package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRegexThatGivesUpDoesNotStopThePipeline runs the built binary with a
// parser whose regex backtracks catastrophically on some lines (a
// look-ahead puts it on the backtracking engine; (a+)+$ on a's ending in
// "!" takes exponential time there): stdin -> parser filter -> file. Every
// record must arrive, those the regex gave up on unparsed, the others
// parsed, and the operator is told once, with the pattern. Container
// Insights' container_firstline parser (look-behind and look-ahead) runs
// beside it on docker lines.
func TestRegexThatGivesUpDoesNotStopThePipeline(t *testing.T) {
	const n = 60
	slow := strings.Repeat("a", 64) + "!"
	var in strings.Builder
	for i := 0; i < n; i++ {
		switch i % 10 {
		case 3:
			fmt.Fprintf(&in, `{"seq":%d,"log":"%s"}`+"\n", i, slow)
		case 5:
			docker := fmt.Sprintf(`{\"log\":\"line %d started\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:%02d.5Z\"}`, i, i)
			fmt.Fprintf(&in, `{"seq":%d,"log":"%s"}`+"\n", i, docker)
		default:
			fmt.Fprintf(&in, `{"seq":%d,"log":"aaaa"}`+"\n", i)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	writeFile(t, dir, "parsers.conf", `
[PARSER]
    Name   slow
    Format regex
    Regex  ^(?=a)(?<word>(a+)+)$

[PARSER]
    Name        container_firstline
    Format      regex
    Regex       (?<log>(?<="log":")\S(?!\.).*?)(?<!\\)".*(?<stream>(?<="stream":").*?)".*(?<time>\d{4}-\d{1,2}-\d{1,2}T\d{2}:\d{2}:\d{2}\.\w*).*(?=})
    Time_Key    time
    Time_Format %Y-%m-%dT%H:%M:%S.%LZ
`)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush        0.2
    Parsers_File parsers.conf

[INPUT]
    Name stdin
    Tag  app

[FILTER]
    Name         parser
    Match        app
    Key_Name     log
    Parser       slow
    Parser       container_firstline
    Reserve_Data On

[OUTPUT]
    Name   file
    Match  app
    Path   %s
    File   app.log
    Format plain
    Mkdir  On
`, out))
	if _, stderr, code := run(t, "validate", "-c", cfg); code != 0 {
		t.Fatalf("validate: exit %d\n%s", code, stderr)
	}
	p := start(t, strings.NewReader(in.String()), "-c", cfg)
	path := filepath.Join(out, "app.log")
	eventually(t, 30*time.Second, fmt.Sprintf("%d records in %s", n, path), func() bool { return len(jsonLines(t, path)) >= n })
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, p.stderr.String())
	}
	got := filtBySeq(t, jsonLines(t, path))
	if len(got) != n {
		t.Fatalf("%d records, want %d", len(got), n)
	}
	for i := 0; i < n; i++ {
		r := got[i]
		switch i % 10 {
		case 3: // gave up: the record as it came
			if r["log"] != slow || r["word"] != nil {
				t.Errorf("seq %d: %v, want it unparsed", i, r)
			}
		case 5:
			if r["log"] != fmt.Sprintf(`line %d started\n`, i) || r["stream"] != "stdout" {
				t.Errorf("seq %d: container_firstline: %v", i, r)
			}
		default:
			if r["word"] != "aaaa" || r["log"] != nil {
				t.Errorf("seq %d: %v, want it parsed", i, r)
			}
		}
	}
	stderr := p.stderr.String()
	if strings.Count(stderr, "treated as not matching") != 1 || !strings.Contains(stderr, `^(?=a)(?<word>(a+)+)$`) {
		t.Errorf("want one warning naming the pattern; stderr:\n%s", stderr)
	}
}
