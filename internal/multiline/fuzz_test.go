package multiline

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzDecodeCRI checks DecodeCRI against a reference reading of the CRI
// format (strings.SplitN and time.Parse): the same lines are accepted, with
// the same time, stream, partial flag and text.
func FuzzDecodeCRI(f *testing.F) {
	for _, s := range []string{
		"2024-05-01T12:00:00.123456789Z stdout F hello",
		"2024-05-01T12:00:00Z stderr P ",
		"2024-05-01T12:00:00Z stdout F:x:y a b c",
		"2024-05-01T12:00:00+25:00 stdout F x",
		" stdout F x",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := DecodeCRI(line)
		if err == nil && !bytes.HasSuffix(line, c.Log) {
			t.Fatalf("log %q is not the end of %q", c.Log, line)
		}
		want, ok := referenceCRI(string(line))
		if ok != (err == nil) {
			t.Fatalf("%q: DecodeCRI error %v, reference accepts %v", line, err, ok)
		}
		if ok && (c.Time != want.Time || string(c.Stream) != string(want.Stream) || c.Partial != want.Partial || string(c.Log) != string(want.Log)) {
			t.Fatalf("%q: decoded %v %q %v %q, reference %v %q %v %q", line, c.Time, c.Stream, c.Partial, c.Log, want.Time, want.Stream, want.Partial, want.Log)
		}
	})
}

// FuzzDecodeDocker checks DecodeDocker against encoding/json on every
// line that is valid JSON: it accepts exactly the objects with a string
// log, an RFC 3339 string time if any and a string stream if any, and
// decodes the same text (less its final newline, whose absence marks a
// partial line), stream and time. A decoded line without escapes keeps its
// text byte for byte.
func FuzzDecodeDocker(f *testing.F) {
	for _, s := range []string{
		`{"log":"hello\n","stream":"stdout","time":"2024-05-01T12:00:00.000000001Z"}`,
		`{"log":"esc \" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00","stream":"stderr","time":"2024-05-01T12:00:00Z"}`,
		`{"attrs":{"a":[1,{"b":"}"}]},"log":"x"}`,
		`{"log":"\ud800"}`,
		`{"log":"\u12"}`,
		`{"log":}`,
		`{`,
		`{"l\u006fg":"escaped key\n"}`,
		`{"log":"x\n","time":5}`,
		`{"LOG":"x\n"}`,
		`{"log":"x\n","log":"y"}`,
		"{\"log\":\"\xff\\n\",\"stream\":\"\xfe\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		c, _, err := DecodeDocker(line, nil)
		if err == nil && bytes.IndexByte(line, '\\') < 0 && !bytes.Contains(line, c.Log) {
			t.Fatalf("log %q not in %q", c.Log, line)
		}
		if !json.Valid(line) {
			return // DecodeDocker is lenient with what it skips
		}
		want, ok := referenceDocker(line)
		if ok != (err == nil) {
			t.Fatalf("%s: DecodeDocker error %v, encoding/json reading accepts %v", line, err, ok)
		}
		// encoding/json replaces invalid UTF-8 (and lone surrogates) with U+FFFD.
		if ok && (c.Time != want.Time || string([]rune(string(c.Stream))) != string(want.Stream) || c.Partial != want.Partial || string([]rune(string(c.Log))) != string(want.Log)) {
			t.Fatalf("%s: decoded %v %q %v %q, encoding/json %v %q %v %q", line, c.Time, c.Stream, c.Partial, c.Log, want.Time, want.Stream, want.Partial, want.Log)
		}
	})
}

// referenceCRI reads a CRI line with strings.SplitN and time.Parse.
func referenceCRI(line string) (ContainerLine, bool) {
	var c ContainerLine
	f := strings.SplitN(line, " ", 4)
	if len(f) < 3 {
		return c, false
	}
	tm, err := time.Parse(time.RFC3339Nano, f[0])
	if err != nil || (f[1] != "stdout" && f[1] != "stderr") {
		return c, false
	}
	tag, _, _ := strings.Cut(f[2], ":")
	if tag != "P" && tag != "F" {
		return c, false
	}
	c.Time, c.Stream, c.Partial = record.FromTime(tm), []byte(f[1]), tag == "P"
	if len(f) == 4 {
		c.Log = []byte(f[3])
	}
	return c, true
}

// referenceDocker reads a Docker json-file line with encoding/json.
func referenceDocker(line []byte) (ContainerLine, bool) {
	var c ContainerLine
	var m map[string]json.RawMessage
	if json.Unmarshal(line, &m) != nil {
		return c, false
	}
	var log, stream, ts *string
	for key, dst := range map[string]**string{"log": &log, "stream": &stream, "time": &ts} {
		raw, has := m[key]
		if !has {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || raw[0] != '"' {
			return c, false
		}
		*dst = &s
	}
	if log == nil {
		return c, false
	}
	if ts != nil {
		tm, err := time.Parse(time.RFC3339Nano, *ts)
		if err != nil {
			return c, false
		}
		c.Time = record.FromTime(tm)
	}
	if stream != nil {
		c.Stream = []byte(*stream)
	}
	text, full := strings.CutSuffix(*log, "\n")
	c.Log, c.Partial = []byte(text), !full
	return c, true
}

// FuzzJoiner feeds arbitrary lines through every built-in parser and
// checks that every line fed comes out in exactly one record.
func FuzzJoiner(f *testing.F) {
	f.Add([]byte("2024-05-01T12:00:00Z stderr P java.lang.Ill\n2024-05-01T12:00:00Z stderr F egalState: x\n\tat a.b(c.java:1)\nTraceback (most recent call last):\n  File \"x\"\npanic: x\n\ngoroutine 1 [running]:\n"))
	f.Add([]byte("{\"log\":\"a\"}\n{\"log\":\"b\\n\"}\nplain"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ps []*Parser
		for _, n := range []string{"docker", "cri", "go", "java", "python"} {
			ps = append(ps, Builtin(n))
		}
		lines := 0
		j := NewJoiner(ps, func(r *Record) { lines += r.Lines })
		fed := 0
		for _, l := range bytes.Split(data, []byte("\n")) {
			j.Feed("k", l, 0, int64(fed))
			fed++
		}
		j.Flush()
		if lines != fed {
			t.Fatalf("fed %d lines, records hold %d", fed, lines)
		}
	})
}

// FuzzParseTime checks the hand-written time decoder against time.Parse.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-05-01T12:00:00.123456789Z", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00+02:00",
		"2024-02-30T12:00:00Z", "2024-05-01T12:00:00.Z", "2024-05-01T24:00:00Z", "2024-05-01T12:00:00.1234567890Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := fastTime([]byte(s))
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("%q: fast path accepted what time.Parse rejects: %v", s, err)
		}
		if got != record.FromTime(want) {
			t.Fatalf("%q: %v, want %v", s, got.Std(), want)
		}
	})
}

// FuzzParseRule checks that any rule text is parsed or refused without a
// panic, and that a parsed rule has states and a next state.
func FuzzParseRule(f *testing.F) {
	f.Add(`"start_state" "/^\d{4}-/" "cont"`)
	f.Add(`"start_state" "/^say \"hi\"/" "cont"`)
	f.Add(`"a" "/(/" "b"`)
	f.Add(`"unterminated`)
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := ParseRule(raw)
		if err == nil && (r.Regex == nil || len(r.From) == 0 || r.Next == "") {
			t.Fatalf("%q: incomplete rule %+v", raw, r)
		}
	})
}
