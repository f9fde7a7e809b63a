package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// filtStdoutRecords parses sluice's json_lines stdout.
func filtStdoutRecords(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

// filtRun starts sluice on config (a classic file written to a temp dir)
// with input on stdin, waits until want records reached stdout (json_lines),
// stops it and returns them.
func filtRun(t *testing.T, config, input string, want int, extra ...string) []map[string]any {
	t.Helper()
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", config)
	p := start(t, strings.NewReader(input), append([]string{"-c", cfg}, extra...)...)
	eventually(t, 15*time.Second, fmt.Sprintf("%d records on stdout", want), func() bool {
		return strings.Count(p.stdout.String(), "\n") >= want
	})
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM; stderr:\n%s", code, p.stderr.String())
	}
	recs := filtStdoutRecords(t, p.stdout.String())
	if len(recs) != want {
		t.Fatalf("%d records on stdout, want %d:\n%s", len(recs), want, p.stdout.String())
	}
	return recs
}

const filtStdout = `
[OUTPUT]
    Name             stdout
    Match            *
    Format           json_lines
    json_date_format iso8601
`

// filtBySeq indexes records by their numeric seq field.
func filtBySeq(t *testing.T, recs []map[string]any) map[int]map[string]any {
	t.Helper()
	out := map[int]map[string]any{}
	for _, r := range recs {
		s, ok := r["seq"].(float64)
		if !ok {
			t.Fatalf("record without seq: %v", r)
		}
		if _, dup := out[int(s)]; dup {
			t.Fatalf("seq %d delivered twice", int(s))
		}
		out[int(s)] = r
	}
	return out
}

// TestParserFilterWithShippedAndCommandLineParsers parses numbered Apache,
// CRI and custom lines with the shipped parsers.conf (Parsers_File
// parsers.conf resolves to the embedded copy) and a parsers file given
// with -R, and checks fields, types and record times.
func TestParserFilterWithShippedAndCommandLineParsers(t *testing.T) {
	dir := t.TempDir()
	custom := writeFile(t, dir, "custom-parsers.conf", `
[PARSER]
    Name        payments
    Format      regex
    Regex       ^(?<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?<level>[A-Z]+) amount=(?<amount>[0-9.]+) ok=(?<ok>\w+)$
    Time_Key    ts
    Time_Format %Y-%m-%d %H:%M:%S,%L
    Time_Offset +0200
    Types       amount:float ok:bool
`)
	const n = 300
	var in strings.Builder
	for i := 0; i < n; i++ {
		var log string
		switch i % 4 {
		case 0:
			log = fmt.Sprintf(`10.0.0.%d - - [10/Oct/2000:13:55:%02d -0700] \"GET /item/%d HTTP/1.1\" 200 %d \"-\" \"curl/8\"`, i%250, i%60, i, 100+i)
		case 1:
			log = fmt.Sprintf(`2021-06-01T10:11:%02d.250Z stdout F message %d`, i%60, i)
		case 2:
			log = fmt.Sprintf(`2022-03-04 05:06:07,%03d INFO amount=%d.5 ok=true`, i%1000, i)
		default:
			log = fmt.Sprintf(`unparsable line %d`, i)
		}
		fmt.Fprintf(&in, `{"seq":%d,"log":"%s"}`+"\n", i, log)
	}
	config := `
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
    Parser       apache2
    Parser       cri
    Parser       payments
    Reserve_Data On
` + filtStdout
	recs := filtBySeq(t, filtRun(t, config, in.String(), n, "-R", custom))
	for i := 0; i < n; i++ {
		r := recs[i]
		if r == nil {
			t.Fatalf("seq %d missing", i)
		}
		switch i % 4 {
		case 0:
			if r["host"] != fmt.Sprintf("10.0.0.%d", i%250) || r["path"] != fmt.Sprintf("/item/%d", i) || r["code"] != "200" || r["log"] != nil {
				t.Fatalf("apache record %d: %v", i, r)
			}
			if want := fmt.Sprintf("2000-10-10T20:55:%02d.000000Z", i%60); r["date"] != want {
				t.Fatalf("apache record %d: date %v, want %s", i, r["date"], want)
			}
		case 1:
			if r["stream"] != "stdout" || r["message"] != fmt.Sprintf("message %d", i) || r["date"] != fmt.Sprintf("2021-06-01T10:11:%02d.250000Z", i%60) {
				t.Fatalf("cri record %d: %v", i, r)
			}
		case 2:
			if r["amount"] != float64(i)+0.5 || r["ok"] != true || r["level"] != "INFO" || r["ts"] != nil {
				t.Fatalf("payments record %d: %v", i, r)
			}
			if want := fmt.Sprintf("2022-03-04T03:06:07.%03d000Z", i%1000); r["date"] != want {
				t.Fatalf("payments record %d: date %v, want %s (Time_Offset +0200)", i, r["date"], want)
			}
		default:
			if r["log"] != fmt.Sprintf("unparsable line %d", i) {
				t.Fatalf("unparsed record %d must pass unchanged: %v", i, r)
			}
		}
	}
}

// TestModifyGrepNestFilters chains grep, modify and nest on numbered
// records and checks which records arrive and how they were rewritten.
func TestModifyGrepNestFilters(t *testing.T) {
	const n = 200
	var in strings.Builder
	for i := 0; i < n; i++ {
		level := []string{"info", "error", "debug", "warn"}[i%4]
		fmt.Fprintf(&in, `{"seq":%d,"level":"%s","msg":"m%d","Mem.total":%d,"Mem.free":1,"k8s":{"ns":"ns%d"},"password":"hunter2"}`+"\n", i, level, i, i, i%3)
	}
	config := `
[SERVICE]
    Flush 0.2

[INPUT]
    Name stdin
    Tag  app.web

[FILTER]
    Name    grep
    Match   app.*
    Exclude level ^debug$
    Regex   $k8s['ns'] ^ns[01]$

[FILTER]
    Name      modify
    Match     app.*
    Condition Key_value_equals level error
    Set       alert true
    Rename    msg message
    Remove    password

[FILTER]
    Name      modify
    Match     app.*
    Remove    password
    Add       cluster prod

[FILTER]
    Name          nest
    Match         app.*
    Operation     nest
    Wildcard      Mem.*
    Nest_under    memory
    Remove_prefix Mem.
` + filtStdout
	want := 0
	for i := 0; i < n; i++ {
		if i%4 != 2 && i%3 != 2 {
			want++
		}
	}
	recs := filtBySeq(t, filtRun(t, config, in.String(), want))
	for i := 0; i < n; i++ {
		r, ok := recs[i]
		if kept := i%4 != 2 && i%3 != 2; kept != ok {
			t.Fatalf("seq %d: delivered %v, want %v", i, ok, kept)
		}
		if !ok {
			continue
		}
		if _, leaked := r["password"]; leaked || r["cluster"] != "prod" {
			t.Fatalf("seq %d: modify rules not applied: %v", i, r)
		}
		isErr := i%4 == 1
		if (r["alert"] == "true") != isErr || (r["message"] != nil) != isErr || (r["msg"] != nil) == isErr {
			t.Fatalf("seq %d: conditional rules: %v", i, r)
		}
		mem, _ := r["memory"].(map[string]any)
		if mem["total"] != float64(i) || mem["free"] != float64(1) || r["Mem.total"] != nil {
			t.Fatalf("seq %d: nest: %v", i, r)
		}
	}
}

// TestRewriteTagRoutesRecordsByTheirNewTag re-tags error records to an
// alerts tag, keeps copies of warnings, and checks each file receives
// exactly the right numbered records.
func TestRewriteTagRoutesRecordsByTheirNewTag(t *testing.T) {
	const n = 400
	var in strings.Builder
	for i := 0; i < n; i++ {
		level := []string{"info", "error", "warn", "info"}[i%4]
		fmt.Fprintf(&in, `{"seq":%d,"level":"%s","svc":"pay"}`+"\n", i, level)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush 0.2

[INPUT]
    Name stdin
    Tag  app.pay

[FILTER]
    Name         rewrite_tag
    Match        app.*
    Rule         $level ^error$ alerts.$svc.$TAG[1] false
    Rule         $level ^(warn)$ audit.$1 true
    Emitter_Name re_emitted

[FILTER]
    Name   modify
    Match  alerts.*
    Add    routed yes

[OUTPUT]
    Name   file
    Match  app.*
    Path   %[1]s
    File   app.log
    Format plain
    Mkdir  On

[OUTPUT]
    Name   file
    Match  alerts.pay.pay
    Path   %[1]s
    File   alerts.log
    Format plain
    Mkdir  On

[OUTPUT]
    Name   file
    Match  audit.warn
    Path   %[1]s
    File   audit.log
    Format plain
    Mkdir  On
`, out))
	p := start(t, strings.NewReader(in.String()), "-c", cfg)
	eventually(t, 15*time.Second, "all records in their files", func() bool {
		return len(jsonLines(t, filepath.Join(out, "app.log"))) >= 300 && len(jsonLines(t, filepath.Join(out, "alerts.log"))) >= 100 &&
			len(jsonLines(t, filepath.Join(out, "audit.log"))) >= 100
	})
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	check := func(file string, want func(i int) bool, extra func(r map[string]any) bool) {
		recs := jsonLines(t, filepath.Join(out, file))
		got := filtBySeq(t, recs)
		count := 0
		for i := 0; i < n; i++ {
			r, ok := got[i]
			if ok != want(i) {
				t.Fatalf("%s: seq %d delivered %v, want %v", file, i, ok, want(i))
			}
			if ok {
				count++
				if !extra(r) {
					t.Fatalf("%s: seq %d: %v", file, i, r)
				}
			}
		}
		if count != len(recs) {
			t.Fatalf("%s: %d records, %d distinct", file, len(recs), count)
		}
	}
	check("app.log", func(i int) bool { return i%4 != 1 }, func(r map[string]any) bool { return r["routed"] == nil })
	check("alerts.log", func(i int) bool { return i%4 == 1 }, func(r map[string]any) bool { return r["routed"] == "yes" })
	check("audit.log", func(i int) bool { return i%4 == 2 }, func(r map[string]any) bool { return r["level"] == "warn" })
}

// TestThrottleAndLuaFilters throttles a burst to Rate×Window records (an
// Interval of a minute keeps the count exact) and rewrites, splits and
// drops records with a Lua script.
func TestThrottleAndLuaFilters(t *testing.T) {
	dir := t.TempDir()
	script := writeFile(t, dir, "filter.lua", `
-- Drops odd records, splits every tenth, tags the rest.
function process(tag, ts, record)
  if record.seq % 2 == 1 then
    return -1, ts, record
  end
  if record.seq % 10 == 0 then
    return 1, ts, {{seq = record.seq, part = "a"}, {seq = record.seq + 1000, part = "b"}}
  end
  record.tag = tag
  record.double = record.seq * 2
  return 2, ts, record
end
`)
	var in strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&in, `{"seq":%d,"kind":"lua"}`+"\n", i)
	}
	config := fmt.Sprintf(`
[SERVICE]
    Flush 0.2

[INPUT]
    Name stdin
    Tag  app.lua

[FILTER]
    Name   lua
    Match  app.lua
    script %s
    call   process
`, script) + filtStdout
	// 50 even records, of which 10 split in two.
	recs := filtBySeq(t, filtRun(t, config, in.String(), 60))
	for i := 0; i < 100; i += 2 {
		r := recs[i]
		switch {
		case r == nil:
			t.Fatalf("seq %d missing", i)
		case i%10 == 0:
			if r["part"] != "a" || recs[i+1000]["part"] != "b" {
				t.Fatalf("seq %d not split: %v / %v", i, r, recs[i+1000])
			}
		default:
			if r["tag"] != "app.lua" || r["double"] != float64(2*i) || r["kind"] != "lua" {
				t.Fatalf("seq %d: %v", i, r)
			}
		}
	}

	var burst strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&burst, `{"seq":%d}`+"\n", i)
	}
	throttled := `
[SERVICE]
    Flush 0.2

[INPUT]
    Name stdin
    Tag  burst

[FILTER]
    Name     throttle
    Match    burst
    Rate     5
    Window   4
    Interval 60s
` + filtStdout
	got := filtBySeq(t, filtRun(t, throttled, burst.String(), 20))
	for i := 0; i < 20; i++ {
		if got[i] == nil {
			t.Fatalf("throttle must pass the first Rate×Window records in order; seq %d missing", i)
		}
	}
}

// TestStdinParserWithQuickFlags reads plain Apache lines with the stdin
// input's Parser, the parsers coming from -R parsers.conf (the embedded
// copy), as `sluice -R parsers.conf -i stdin -p parser=apache -o stdout`.
func TestStdinParserWithQuickFlags(t *testing.T) {
	const n = 50
	var in strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, "192.168.1.%d - u%d [10/Oct/2000:13:55:36 -0700] \"GET /p/%d HTTP/1.0\" 200 %d\n", i, i, i, i)
	}
	in.WriteString("not an apache line\n")
	p := start(t, strings.NewReader(in.String()), "-R", "parsers.conf", "-i", "stdin", "-p", "parser=apache", "-t", "web",
		"-o", "stdout", "-p", "format=json_lines", "-p", "json_date_format=epoch", "-f", "0.2")
	eventually(t, 15*time.Second, "all lines on stdout", func() bool { return strings.Count(p.stdout.String(), "\n") >= n+1 })
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	recs := filtStdoutRecords(t, p.stdout.String())
	if len(recs) != n+1 {
		t.Fatalf("%d records, want %d", len(recs), n+1)
	}
	for i := 0; i < n; i++ {
		r := recs[i]
		if r["path"] != fmt.Sprintf("/p/%d", i) || r["user"] != fmt.Sprintf("u%d", i) || r["date"] != float64(971211336) {
			t.Fatalf("line %d: %v", i, r)
		}
	}
	if recs[n]["log"] != "not an apache line" {
		t.Errorf("an unmatched line must be kept as log: %v", recs[n])
	}
}

// TestValidateReportsParserErrors checks that `sluice validate` reports a
// bad [PARSER] and an unknown Parser name at their file:line, exit 2.
func TestValidateReportsParserErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "parsers.conf", "[PARSER]\n    Name   bad\n    Format regex\n    Regex  ^(?<a>x)(?=y\n")
	cfg := writeFile(t, dir, "sluice.conf", `[SERVICE]
    Parsers_File parsers.conf
[INPUT]
    Name stdin
[FILTER]
    Name     parser
    Match    *
    Key_Name log
    Parser   apache_typo
[OUTPUT]
    Name  stdout
    Match *
`)
	_, stderr, code := run(t, "validate", "-c", cfg)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		filepath.Join(dir, "parsers.conf") + ":4:5: [PARSER] bad Regex: invalid regular expression: missing closing ) in `^(?<a>x)(?=y`",
		filepath.Join(dir, "sluice.conf") + `:9:5: [FILTER] parser (parser.0) Parser: no parser named "apache_typo"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestImageShipsTheParsersFile checks that the image tree carries
// conf/parsers.conf, byte for byte, at both paths users name.
func TestImageShipsTheParsersFile(t *testing.T) {
	root := t.TempDir()
	if out, err := exec.Command("../deploy/image/assemble.sh", root, sluiceBin).CombinedOutput(); err != nil {
		t.Fatalf("assemble.sh: %v\n%s", err, out)
	}
	want, err := os.ReadFile("../conf/parsers.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"fluent-bit/etc/parsers.conf", "fluent-bit/parsers/parsers.conf"} {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil || string(got) != string(want) {
			t.Errorf("/%s is not conf/parsers.conf (%v)", path, err)
		}
	}
}
