package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tailTrace is a real-shaped log with one stack trace in it: the records a
// multiline parser must make of it are its lines before first, the lines
// first..last joined, and its lines after last.
type tailTrace struct {
	file        string
	first, last int
}

var tailTraces = []tailTrace{
	{"java.txt", 1, 10},
	{"python.txt", 1, 15},
	{"go.txt", 1, 12},
}

// TestTailMultilineCRI writes Java, Python and Go stack traces as a
// container runtime does, every line cut into CRI partial (P) pieces of
// 30 bytes, and checks that tail with multiline.parser cri, java, python,
// go delivers each trace as one record and every other line as its own.
// A second input reads the same lines as Docker json-file lines, split
// the way Docker splits long lines, with Docker_Mode.
func TestTailMultilineCRI(t *testing.T) {
	dir := t.TempDir()
	var want, lines []string
	for _, tr := range tailTraces {
		data, err := os.ReadFile(filepath.Join("..", "internal", "multiline", "testdata", tr.file))
		if err != nil {
			t.Fatal(err)
		}
		l := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		lines = append(lines, l...)
		want = append(want, l[:tr.first]...)
		want = append(want, strings.Join(l[tr.first:tr.last+1], "\n"))
		want = append(want, l[tr.last+1:]...)
	}
	// An ordinary line last, so the last trace's end is seen at once.
	lines = append(lines, "done")
	want = append(want, "done")

	var cri, docker strings.Builder
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, l := range lines {
		for rest := l; ; {
			piece, flag := rest, "F"
			if len(rest) > 30 {
				piece, flag = rest[:30], "P"
			}
			fmt.Fprintf(&cri, "%s stderr %s %s\n", ts.Format(time.RFC3339Nano), flag, piece)
			text := piece
			if flag == "F" {
				text += "\n"
			}
			js, _ := json.Marshal(map[string]string{"log": text, "stream": "stderr", "time": ts.Format(time.RFC3339Nano)})
			docker.Write(js)
			docker.WriteByte('\n')
			ts = ts.Add(time.Millisecond)
			if rest = rest[len(piece):]; flag == "F" {
				break
			}
		}
	}
	logs := filepath.Join(dir, "logs")
	writeFile(t, logs, "app.cri", cri.String())
	writeFile(t, logs, "app.json", docker.String())
	writeFile(t, logs, "custom.log", "2024-05-01 12:00:00 request failed:\n  step 1\n  step 2\n2024-05-01 12:00:01 done\n")
	out := filepath.Join(dir, "out")
	conf := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush      0.2
    Log_Level  info

[INPUT]
    Name              tail
    Path              %[1]s/app.cri
    Tag               cri
    Read_from_Head    on
    multiline.parser  cri, java, python, go

[INPUT]
    Name              tail
    Path              %[1]s/app.json
    Tag               docker
    Read_from_Head    on
    Docker_Mode       on
    multiline.parser  java, python, go

[INPUT]
    Name              tail
    Path              %[1]s/custom.log
    Tag               custom
    Read_from_Head    on
    multiline.parser  indented

[MULTILINE_PARSER]
    name           indented
    type           regex
    flush_timeout  500
    rule           "start_state"  "/^\d{4}-\d{2}-\d{2} /"  "cont"
    rule           "cont"         "/^\s+/"                 "cont"

[OUTPUT]
    Name    file
    Match   custom
    Path    %[2]s
    File    custom.log
    Format  plain
    Mkdir   On

[OUTPUT]
    Name    file
    Match   cri
    Path    %[2]s
    File    cri.log
    Format  plain
    Mkdir   On

[OUTPUT]
    Name    file
    Match   docker
    Path    %[2]s
    File    docker.log
    Format  plain
    Mkdir   On
`, logs, out))
	start(t, nil, "-c", conf)
	custom := filepath.Join(out, "custom.log")
	eventually(t, 20*time.Second, "the [MULTILINE_PARSER] records", func() bool {
		recs := jsonLines(t, custom)
		return len(recs) == 2 && recs[0]["log"] == "2024-05-01 12:00:00 request failed:\n  step 1\n  step 2" &&
			recs[1]["log"] == "2024-05-01 12:00:01 done"
	})
	for _, name := range []string{"cri.log", "docker.log"} {
		path := filepath.Join(out, name)
		var recs []map[string]any
		// "done" is the last line: once it arrived, everything before it has.
		eventually(t, 20*time.Second, name+" to hold the last record", func() bool {
			recs = jsonLines(t, path)
			return len(recs) > 0 && recs[len(recs)-1]["log"] == "done"
		})
		var got []string
		for _, r := range recs {
			got = append(got, fmt.Sprint(r["log"]))
			if r["stream"] != "stderr" {
				t.Errorf("%s: record without stream stderr: %v", name, r)
			}
		}
		if strings.Join(got, "\n--\n") != strings.Join(want, "\n--\n") {
			t.Errorf("%s: got:\n%s\nwant:\n%s", name, strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
		}
	}
}

// TestTailParser applies a [PARSER] from a parsers file to each line of a
// followed file: matched lines become their fields (Types applied),
// others stay {"log": line}.
func TestTailParser(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	writeFile(t, logs, "access.log", `10.0.0.1 [2024-05-01T12:00:00Z] "GET /health" 200`+"\nnot an access line\n")
	writeFile(t, dir, "parsers.conf", `
[PARSER]
    Name         access
    Format       regex
    Regex        ^(?<remote>\S+) \[(?<time>[^\]]+)\] "(?<method>\S+) (?<path>[^"]+)" (?<code>\d+)$
    Time_Key     time
    Time_Format  %Y-%m-%dT%H:%M:%SZ
    Types        code:integer
`)
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/access.log
    Read_from_Head  on
    Parser          access`, logs))
	data, _ := os.ReadFile(conf)
	os.WriteFile(conf, []byte(strings.Replace(string(data), "[SERVICE]\n", "[SERVICE]\n    Parsers_File  parsers.conf\n", 1)), 0o644)
	start(t, nil, "-c", conf)
	var recs []map[string]any
	eventually(t, 20*time.Second, "both records", func() bool {
		recs = jsonLines(t, filepath.Join(dir, "out", "all.log"))
		return len(recs) >= 2
	})
	if r := recs[0]; r["remote"] != "10.0.0.1" || r["path"] != "/health" || r["code"] != float64(200) {
		t.Errorf("parsed record %v", r)
	}
	if r := recs[1]; r["log"] != "not an access line" {
		t.Errorf("unmatched line %v", r)
	}
}

// TestTailYAMLMultiline configures tail and a multiline parser whose
// regex holds double quotes in Fluent Bit's YAML format.
func TestTailYAMLMultiline(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	writeFile(t, logs, "app.log", "say \"hi\" to\n  everyone\n  here\nsay \"bye\"\nplain\n")
	conf := writeFile(t, dir, "sluice.yaml", fmt.Sprintf(`
service:
  flush: 0.2
multiline_parsers:
  - name: quoted
    type: regex
    flush_timeout: 300
    rules:
      - state: start_state
        regex: '/^say "/'
        next_state: cont
      - {state: cont, regex: '/^\s+/', next_state: cont}
pipeline:
  inputs:
    - name: tail
      path: %s/app.log
      read_from_head: on
      multiline.parser: quoted
  outputs:
    - name: file
      match: '*'
      path: %s
      file: all.log
      format: plain
      mkdir: on
`, logs, filepath.Join(dir, "out")))
	start(t, nil, "-c", conf)
	want := []string{"say \"hi\" to\n  everyone\n  here", "say \"bye\"", "plain"}
	var got []string
	eventually(t, 20*time.Second, "three records", func() bool {
		got = got[:0]
		for _, r := range jsonLines(t, filepath.Join(dir, "out", "all.log")) {
			got = append(got, fmt.Sprint(r["log"]))
		}
		return len(got) >= 3
	})
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}
