package awsrecord

import (
	"bytes"
	"compress/gzip"
	"io"
	"strconv"
	"strings"
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

// FuzzStrftime formats a fuzzed time (years 1000 to 9999) with any layout
// and checks each conversion against the same field formatted by Go's
// time package (and %s by strconv): the output is the layout with every
// known conversion replaced by its field, and the rest kept as written.
func FuzzStrftime(f *testing.F) {
	for _, s := range []string{"%Y-%m-%dT%H:%M:%S.%3N", "%", "%%%", "%9", "%3N%6N%9N%L", "x%qy"} {
		f.Add(s, int64(1700000000), uint32(5))
	}
	f.Add("%a %A %b %B %h %j %y %C %I%p %e %Z %z %u %w %s %F %T %D %R %n%t", int64(-30610224000), uint32(999999999))
	f.Fuzz(func(t *testing.T, layout string, sec int64, nsec uint32) {
		const minSec, maxSec = -30610224000, 253402300799 // 1000-01-01 to 9999-12-31
		sec = minSec + (sec%(maxSec-minSec)+(maxSec-minSec))%(maxSec-minSec)
		ts := time.Unix(sec, int64(nsec%1e9)).In(time.FixedZone("X", 5*3600))
		got := string(CompileStrftime(layout).Append(nil, ts))
		u := ts.UTC()
		field := map[string]string{
			"Y": u.Format("2006"), "m": u.Format("01"), "d": u.Format("02"), "H": u.Format("15"), "M": u.Format("04"),
			"S": u.Format("05"), "y": u.Format("06"), "j": u.Format("002"), "e": u.Format("_2"), "I": u.Format("03"),
			"p": u.Format("PM"), "a": u.Format("Mon"), "A": u.Format("Monday"), "b": u.Format("Jan"), "h": u.Format("Jan"),
			"B": u.Format("January"), "Z": "UTC", "z": "+0000", "s": strconv.FormatInt(u.Unix(), 10),
			"F": u.Format("2006-01-02"), "T": u.Format("15:04:05"), "D": u.Format("01/02/06"), "R": u.Format("15:04"),
			"C": u.Format("2006")[:2], "u": strconv.Itoa((int(u.Weekday())+6)%7 + 1), "w": strconv.Itoa(int(u.Weekday())),
			"L": u.Format(".000000000")[1:], "N": u.Format(".000000000")[1:], "9N": u.Format(".000000000")[1:],
			"6N": u.Format(".000000")[1:], "3N": u.Format(".000")[1:], "%": "%", "n": "\n", "t": "\t",
		}
		var want strings.Builder
		for i := 0; i < len(layout); i++ {
			if layout[i] == '%' && i+1 < len(layout) {
				if i+2 < len(layout) && layout[i+2] == 'N' && strings.IndexByte("369", layout[i+1]) >= 0 {
					want.WriteString(field[layout[i+1:i+3]])
					i += 2
					continue
				}
				if v, ok := field[layout[i+1:i+2]]; ok {
					want.WriteString(v)
					i++
					continue
				}
			}
			want.WriteByte(layout[i])
		}
		if got != want.String() {
			t.Fatalf("%q at %v: %q, want %q", layout, u, got, want.String())
		}
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
