package awsrecord

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

func TestStrftime(t *testing.T) {
	ts := time.Date(2026, 3, 7, 4, 5, 6, 123456789, time.FixedZone("X", 3600))
	for layout, want := range map[string]string{
		"%Y-%m-%dT%H:%M:%S":          "2026-03-07T03:05:06",
		"%Y-%m-%dT%H:%M:%S.%3NZ":     "2026-03-07T03:05:06.123Z",
		"%s.%6N %9N %L":              "1772852706.123456 123456789 123456789",
		"%F %T %D %R":                "2026-03-07 03:05:06 03/07/26 03:05",
		"%a %A %b %B %h %j %y %C":    "Sat Saturday Mar March Mar 066 26 20",
		"%I%p %e| %Z %z %u %w":       "03AM  7| UTC +0000 6 6",
		"100%% %q %":                 "100% %q %",
		"/logs/$TAG/%Y/%m/%d/%H/%M/": "/logs/$TAG/2026/03/07/03/05/",
		"%n%t":                       "\n\t",
	} {
		if got := string(CompileStrftime(layout).Append(nil, ts)); got != want {
			t.Errorf("%q: %q, want %q", layout, got, want)
		}
	}
	if CompileStrftime("static").HasVerbs() || !CompileStrftime("a%Yb").HasVerbs() {
		t.Error("HasVerbs")
	}
}

func FuzzStrftime(f *testing.F) {
	for _, s := range []string{"%Y-%m-%dT%H:%M:%S.%3N", "%", "%%%", "%9", "%3N%6N%9N%L", "x%qy"} {
		f.Add(s)
	}
	ts := time.Unix(1700000000, 5)
	f.Fuzz(func(t *testing.T, layout string) {
		CompileStrftime(layout).Append(nil, ts)
	})
}

func TestNextCall(t *testing.T) {
	var b Batch
	for _, n := range []int{3, 3, 3, 10, 1, 1} {
		start := len(b.Arena)
		b.Arena = append(b.Arena, bytes.Repeat([]byte{'x'}, n)...)
		b.Entries = append(b.Entries, Entry{Start: start, End: len(b.Arena), Key: "k"})
	}
	var calls [][2]int
	for start := 0; start < len(b.Entries); {
		end := b.NextCall(start, Limits{Records: 2, CallBytes: 11})
		calls = append(calls, [2]int{start, end})
		start = end
	}
	// Sizes with the key: 4 4 4 11 2 2.
	want := [][2]int{{0, 2}, {2, 3}, {3, 4}, {4, 6}}
	if len(calls) != len(want) {
		t.Fatalf("calls %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("calls %v, want %v", calls, want)
		}
	}
}

func TestAppendGzip(t *testing.T) {
	out := AppendGzip([]byte("prefix"), []byte("hello"))
	zr, err := gzip.NewReader(bytes.NewReader(out[6:]))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(out[:6]) != "prefix" || string(plain) != "hello" {
		t.Errorf("%q %q", out[:6], plain)
	}
}

func BenchmarkFormat(b *testing.B) {
	body, _ := record.AppendJSONAsMsgpack(nil, []byte(`{"log":"`+string(bytes.Repeat([]byte("a"), 900))+`","stream":"stdout","seq":12345}`))
	ev := record.Event{Time: record.FromTime(time.Unix(1700000000, 0)), Body: body}
	f := Format{TimeKey: "time", AppendTime: StrftimeValue(CompileStrftime("%Y-%m-%dT%H:%M:%S.%3N"))}
	var dst []byte
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = f.Append(dst[:0], &ev)
	}
}
