package multiline

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/record"
)

// collect feeds lines through a Joiner of the named parsers and returns
// the records, then those left when the input ends.
func collect(t *testing.T, names []string, sections []config.Section, lines []string) []Record {
	t.Helper()
	ps, err := Resolve(names, sections)
	if err != nil {
		t.Fatal(err)
	}
	var out []Record
	j := NewJoiner(ps, func(r *Record) {
		c := *r
		c.Log = append([]byte(nil), r.Log...)
		out = append(out, c)
	})
	for i, l := range lines {
		j.Feed("k", []byte(l), record.Time(i), int64(i))
	}
	j.Flush()
	return out
}

func logs(recs []Record) []string {
	var s []string
	for _, r := range recs {
		s = append(s, string(r.Log))
	}
	return s
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// TestBuiltinTraces checks each built-in stack-trace parser on a trace as
// its runtime prints it, between two ordinary log lines: the trace is one
// record, the lines around it are records of their own.
func TestBuiltinTraces(t *testing.T) {
	tests := []struct {
		parser, file string
		// firstTrace is the line index where the joined trace starts,
		// lastTrace the last line in it.
		firstTrace, lastTrace int
	}{
		{"java", "java.txt", 1, 10},
		{"python", "python.txt", 1, 15},
		{"go", "go.txt", 1, 12},
	}
	for _, tt := range tests {
		t.Run(tt.parser, func(t *testing.T) {
			lines := readLines(t, tt.file)
			got := logs(collect(t, []string{tt.parser}, nil, lines))
			var want []string
			want = append(want, lines[:tt.firstTrace]...)
			want = append(want, strings.Join(lines[tt.firstTrace:tt.lastTrace+1], "\n"))
			want = append(want, lines[tt.lastTrace+1:]...)
			if strings.Join(got, "\n--\n") != strings.Join(want, "\n--\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
			}
		})
	}
}

// criSplit writes lines as a kubelet would with a tiny maximum line size:
// each line in pieces of at most n bytes, all but the last flagged P.
func criSplit(lines []string, stream string, n int) []string {
	var out []string
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, l := range lines {
		for len(l) > n {
			out = append(out, fmt.Sprintf("%s %s P %s", ts.Format(time.RFC3339Nano), stream, l[:n]))
			l = l[n:]
			ts = ts.Add(time.Microsecond)
		}
		out = append(out, fmt.Sprintf("%s %s F %s", ts.Format(time.RFC3339Nano), stream, l))
		ts = ts.Add(time.Microsecond)
	}
	return out
}

// TestCRIPartialTraces splits every trace across CRI partial lines and
// checks the cri parser followed by the trace parser rebuilds the same
// records as the trace parser on the original lines.
func TestCRIPartialTraces(t *testing.T) {
	for _, tt := range []struct{ parser, file string }{{"java", "java.txt"}, {"python", "python.txt"}, {"go", "go.txt"}} {
		for _, n := range []int{7, 40} {
			t.Run(fmt.Sprintf("%s/%d", tt.parser, n), func(t *testing.T) {
				lines := readLines(t, tt.file)
				want := logs(collect(t, []string{tt.parser}, nil, lines))
				recs := collect(t, []string{"cri", tt.parser}, nil, criSplit(lines, "stderr", n))
				if got := logs(recs); strings.Join(got, "\n--\n") != strings.Join(want, "\n--\n") {
					t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
				}
				for _, r := range recs {
					if r.Stream != "stderr" || r.Format != KindCRI {
						t.Fatalf("record %+v", r)
					}
				}
			})
		}
	}
}

func TestStreamsJoinApart(t *testing.T) {
	lines := []string{
		"2024-05-01T12:00:00Z stdout P out-a ",
		"2024-05-01T12:00:00Z stderr P err-a ",
		"2024-05-01T12:00:00Z stdout F out-b",
		"2024-05-01T12:00:00Z stderr F err-b",
	}
	recs := collect(t, []string{"cri"}, nil, lines)
	if got := strings.Join(logs(recs), "|"); got != "out-a out-b|err-a err-b" {
		t.Fatalf("got %q", got)
	}
	if recs[0].Mark != 0 || recs[1].Mark != 1 || recs[0].Lines != 2 {
		t.Fatalf("marks %+v", recs)
	}
}

func TestDockerJoin(t *testing.T) {
	lines := []string{
		`{"log":"part one, ","stream":"stdout","time":"2024-05-01T12:00:00.000000001Z"}`,
		`{"log":"part two \"quoted\" \u00e9\n","stream":"stdout","time":"2024-05-01T12:00:00.000000002Z"}`,
		`{"log":"whole\n","stream":"stderr","attrs":{"tag":"x"},"time":"2024-05-01T12:00:01Z"}`,
		`not json at all`,
	}
	recs := collect(t, []string{"docker"}, nil, lines)
	if got := strings.Join(logs(recs), "|"); got != `part one, part two "quoted" é|whole|not json at all` {
		t.Fatalf("got %q", got)
	}
	if recs[0].Time != record.FromTime(time.Date(2024, 5, 1, 12, 0, 0, 1, time.UTC)) || recs[0].Stream != "stdout" {
		t.Fatalf("record %+v", recs[0])
	}
	if recs[2].Format != 0 || recs[2].Time != 3 {
		t.Fatalf("plain line %+v", recs[2])
	}
}

func TestUserParserFromSection(t *testing.T) {
	sect := config.Section{Kind: config.KindMultilineParser, Params: []config.Param{
		{Key: "name", Value: "multiline-custom"},
		{Key: "type", Value: "regex"},
		{Key: "flush_timeout", Value: "500"},
		{Key: "rule", Value: `"start_state"   "/^\d{4}-\d{2}-\d{2} /"   "cont"`},
		{Key: "rule", Value: `"cont"          "/^\s+/"                  "cont"`},
	}}
	lines := []string{"2024-05-01 first", "  detail 1", "  detail 2", "2024-05-01 second", "orphan"}
	got := logs(collect(t, []string{"multiline-custom"}, []config.Section{sect}, lines))
	if strings.Join(got, "|") != "2024-05-01 first\n  detail 1\n  detail 2|2024-05-01 second|orphan" {
		t.Fatalf("got %q", got)
	}
	p, _ := FromSection(&sect)
	if p.FlushTimeout() != 500*time.Millisecond {
		t.Errorf("flush timeout %v", p.FlushTimeout())
	}
}

// TestUserParserWithLookAround joins lines by rules RE2 cannot run: a start
// line that is not a DEBUG line (negative look-ahead) and continuation
// lines whose "at " follows a space and precedes a frame (look-behind,
// look-ahead).
func TestUserParserWithLookAround(t *testing.T) {
	sect := config.Section{Kind: config.KindMultilineParser, Params: []config.Param{
		{Key: "name", Value: "lookaround"},
		{Key: "type", Value: "regex"},
		{Key: "rule", Value: `"start_state" "/^\d{4}-\d{2}-\d{2} (?!DEBUG)\w+ /" "cont"`},
		{Key: "rule", Value: `"cont"        "/^\s+(?<=\s)at (?=\S)/"         "cont"`},
	}}
	lines := []string{"2024-05-01 ERROR boom", "  at a.b(C.java:1)", "  at  not-a-frame", "2024-05-01 DEBUG x", "  at d.e(F.java:2)"}
	got := logs(collect(t, []string{"lookaround"}, []config.Section{sect}, lines))
	want := "2024-05-01 ERROR boom\n  at a.b(C.java:1)|  at  not-a-frame|2024-05-01 DEBUG x|  at d.e(F.java:2)"
	if strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "|"), want)
	}
}

func TestFromSectionErrors(t *testing.T) {
	tests := []struct {
		params []config.Param
		want   string
	}{
		{[]config.Param{{Key: "type", Value: "regex"}}, "missing name"},
		{[]config.Param{{Key: "name", Value: "x"}, {Key: "type", Value: "parser"}}, `type "parser" is not supported`},
		{[]config.Param{{Key: "name", Value: "x"}, {Key: "rule", Value: `"start_state" "/(x/" "c"`}}, "regex: invalid regular expression: missing closing )"},
		{[]config.Param{{Key: "name", Value: "x"}, {Key: "rule", Value: `"start_state" "/x/"`}}, "three quoted values"},
		{[]config.Param{{Key: "name", Value: "x"}, {Key: "rule", Value: `"cont" "/x/" "cont"`}}, "no rule starts from"},
		{[]config.Param{{Key: "name", Value: "x"}, {Key: "flush_timeout", Value: "soon"}}, "flush_timeout"},
		{[]config.Param{{Key: "name", Value: "x"}, {Key: "colour", Value: "red"}}, `unknown key "colour"`},
	}
	for _, tt := range tests {
		_, err := FromSection(&config.Section{Params: tt.params})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err %v, want %q", tt.params, err, tt.want)
		}
	}
	if _, err := Resolve([]string{"nope"}, nil); err == nil || !strings.Contains(err.Error(), "unknown multiline parser") {
		t.Errorf("Resolve: %v", err)
	}
}

func TestFlushExpiredAndOldest(t *testing.T) {
	now := time.Unix(1000, 0)
	var out []string
	j := NewJoiner([]*Parser{Builtin("cri"), Builtin("java")}, func(r *Record) { out = append(out, string(r.Log)) })
	j.Now = func() time.Time { return now }
	j.Feed("k", []byte("2024-05-01T12:00:00Z stdout F java.lang.RuntimeException: x"), 0, 100)
	j.Feed("k", []byte("2024-05-01T12:00:00Z stdout F \tat a.B.c(B.java:1)"), 0, 160)
	j.Feed("k", []byte("2024-05-01T12:00:00Z stderr P half"), 0, 200)
	if m, ok := j.Oldest(); !ok || m != 100 {
		t.Fatalf("Oldest = %d %v", m, ok)
	}
	if next := j.FlushExpired(); !next.Equal(now.Add(DefaultFlushTimeout)) || len(out) != 0 {
		t.Fatalf("flushed early: %q, next %v", out, next)
	}
	now = now.Add(DefaultFlushTimeout)
	if next := j.FlushExpired(); !next.IsZero() {
		t.Fatalf("next = %v", next)
	}
	if o := strings.Join(out, "|"); o != "java.lang.RuntimeException: x\n\tat a.B.c(B.java:1)|half" &&
		o != "half|java.lang.RuntimeException: x\n\tat a.B.c(B.java:1)" { // streams flush in no set order
		t.Fatalf("out %q", out)
	}
	if _, ok := j.Oldest(); ok {
		t.Fatal("still pending")
	}
}

func TestMaxBytes(t *testing.T) {
	var out []string
	j := NewJoiner([]*Parser{Builtin("java")}, func(r *Record) { out = append(out, string(r.Log)) })
	j.MaxBytes = 40
	for _, l := range []string{"java.lang.Error: x", "\tat a.b(c.java:1)", "\tat a.b(c.java:2)", "\tat a.b(c.java:3)"} {
		j.Feed("", []byte(l), 0, 0)
	}
	j.Flush()
	if len(out) != 3 {
		t.Fatalf("out %q", out)
	}
}

func TestDecodeCRI(t *testing.T) {
	tests := []struct {
		line    string
		ok      bool
		stream  string
		partial bool
		log     string
	}{
		{"2024-05-01T12:00:00.123456789Z stdout F hello world", true, "stdout", false, "hello world"},
		{"2024-05-01T12:00:00+02:00 stderr P part", true, "stderr", true, "part"},
		{"2024-05-01T12:00:00Z stdout F", true, "stdout", false, ""},
		{"2024-05-01T12:00:00Z stdout F:extra x", true, "stdout", false, "x"},
		{"2024-05-01T12:00:00Z stdin F x", false, "", false, ""},
		{"2024-05-01T12:00:00Z stdout X x", false, "", false, ""},
		{"yesterday stdout F x", false, "", false, ""},
		{"plain text", false, "", false, ""},
	}
	for _, tt := range tests {
		c, err := DecodeCRI([]byte(tt.line))
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v", tt.line, err)
			continue
		}
		if tt.ok && (string(c.Stream) != tt.stream || c.Partial != tt.partial || string(c.Log) != tt.log) {
			t.Errorf("%q: %+v", tt.line, c)
		}
	}
}

func TestDecodeCRIAllocs(t *testing.T) {
	line := []byte("2024-05-01T12:00:00.123456789Z stdout F hello world")
	if n := testing.AllocsPerRun(100, func() { DecodeCRI(line) }); n != 0 {
		t.Errorf("DecodeCRI allocates %v times", n)
	}
}

func TestForget(t *testing.T) {
	var out []string
	j := NewJoiner([]*Parser{Builtin("cri"), Builtin("go")}, func(r *Record) { out = append(out, r.Key+":"+string(r.Log)) })
	j.Feed("a", []byte("2024-05-01T12:00:00Z stdout P half "), 0, 0)
	j.Feed("b", []byte("panic: boom"), 0, 0)
	j.Forget("a")
	if strings.Join(out, "|") != "a:half " || len(j.streams) != 1 {
		t.Fatalf("out %q, %d streams", out, len(j.streams))
	}
	j.Forget("b")
	if strings.Join(out, "|") != "a:half |b:panic: boom" || len(j.streams) != 0 {
		t.Fatalf("out %q, %d streams", out, len(j.streams))
	}
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		raw, from, re, next string
	}{
		{`"start_state" "/^\d{4}-/" "cont"`, "start_state", `/^\d{4}-/`, "cont"},
		{`"start_state"   "/^say \"hi\"/"   "cont"`, "start_state", `/^say "hi"/`, "cont"},
		{`"start_state, cont" "/^\s+at /" "cont"`, "start_state|cont", `/^\s+at /`, "cont"},
		{`start_state /x/ cont`, "start_state", "/x/", "cont"},
		{`"start_state" "/^(?<!x)\d+(?= )/" "cont"`, "start_state", `/^(?<!x)\d+(?= )/`, "cont"}, // look-around: backtracking engine
	}
	for _, tt := range tests {
		r, err := ParseRule(tt.raw)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		if strings.Join(r.From, "|") != tt.from || r.Regex.String() != tt.re || r.Next != tt.next {
			t.Errorf("%s: from %q re %q next %q", tt.raw, r.From, r.Regex, r.Next)
		}
	}
}
