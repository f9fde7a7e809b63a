package multiline

import (
	"bytes"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzDecodeCRI checks DecodeCRI never panics and returns text that is a
// suffix of its input.
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
	})
}

// FuzzDecodeDocker checks DecodeDocker never panics and that a decoded
// line without escapes keeps its text byte for byte.
func FuzzDecodeDocker(f *testing.F) {
	for _, s := range []string{
		`{"log":"hello\n","stream":"stdout","time":"2024-05-01T12:00:00.000000001Z"}`,
		`{"log":"esc \" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00","stream":"stderr","time":"2024-05-01T12:00:00Z"}`,
		`{"attrs":{"a":[1,{"b":"}"}]},"log":"x"}`,
		`{"log":"\ud800"}`,
		`{"log":"\u12"}`,
		`{"log":}`,
		`{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		c, _, err := DecodeDocker(line, nil)
		if err == nil && bytes.IndexByte(line, '\\') < 0 && !bytes.Contains(line, c.Log) {
			t.Fatalf("log %q not in %q", c.Log, line)
		}
	})
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
