// This fuzz target is in an external test package: the strftime it checks
// against (internal/awsrecord) imports internal/plugin, which imports this
// package.
package parser_test

import (
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/awsrecord"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/record"
)

// roundTripNow is the "now" a time without a date is completed with.
var roundTripNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// roundTripLayouts are Time_Formats that fix a time to the second or
// finer, each with the strftime layout that writes it and its precision,
// for FuzzStrptimeRoundTrip.
var roundTripLayouts = []struct {
	parse, format string
	precision     time.Duration
}{
	{"%Y-%m-%dT%H:%M:%S.%L%z", "%Y-%m-%dT%H:%M:%S.%L%z", time.Nanosecond},
	{"%d/%b/%Y:%H:%M:%S %z", "%d/%b/%Y:%H:%M:%S %z", time.Second},
	{"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", time.Second},
	{"%s", "%s", time.Second},
	{"%s.%L", "%s.%L", time.Nanosecond},
	{"%F %T.%L", "%F %T.%3N", time.Millisecond},
	{"%a %b %e %H:%M:%S %Y", "%a %b %e %H:%M:%S %Y", time.Second},
	{"%Y %j %I:%M:%S %p", "%Y %j %I:%M:%S %p", time.Second},
	{"%A, %d-%B-%Y %T %Z", "%A, %d-%B-%Y %T %Z", time.Second},
	{"%D %R:%S", "%D %R:%S", time.Second},
	{"%y%m%d %H%M%S", "%y%m%d %H%M%S", time.Second},
	{"%Y-%m-%dT%H:%M:%S,%L", "%Y-%m-%dT%H:%M:%S,%6N", time.Microsecond},
	{"%S.%L", "%S.%L", 0}, // no date: the year and day come from now
}

// FuzzStrptimeRoundTrip formats a fuzzed time with a Time_Format by the
// independent strftime of package awsrecord (itself checked against Go's
// time package) and parses the text back: it must give the same time, to
// the format's precision. For arbitrary text it checks that a time read in
// strict mode reads the same without it.
func FuzzStrptimeRoundTrip(f *testing.F) {
	f.Add(uint8(0), int64(1700000000), uint32(123456789), "2017-05-17T15:44:31.187512963Z")
	f.Add(uint8(7), int64(-1), uint32(0), "Jun  3 08:01:02")
	f.Add(uint8(10), int64(3000000000), uint32(5), "991231 235959")
	f.Fuzz(func(t *testing.T, which uint8, sec int64, nsec uint32, text string) {
		rt := roundTripLayouts[int(which)%len(roundTripLayouts)]
		l, err := parser.ParseTimeLayout(rt.parse)
		if err != nil {
			t.Fatalf("%s: %v", rt.parse, err)
		}
		format := rt.parse
		strict, err := l.Parse([]byte(text), nil, roundTripNow, true)
		if err == nil {
			if lax, err := l.Parse([]byte(text), nil, roundTripNow, false); err != nil || lax != strict {
				t.Fatalf("%s: %q reads %v strictly, %v (%v) without Time_Strict", format, text, strict, lax, err)
			}
		}
		// Years 1969 to 2068, which %y reads back (POSIX: 69-99 are 19xx).
		const lo, hi = -31536000, 3124137599
		sec = lo + (sec%(hi-lo)+(hi-lo))%(hi-lo)
		ts := time.Unix(sec, int64(nsec%1e9)).UTC()
		if rt.precision == 0 {
			return // a time of day alone: not a round trip
		}
		want := ts.Truncate(rt.precision)
		in := awsrecord.CompileStrftime(rt.format).Append(nil, ts)
		got, err := l.Parse(in, nil, roundTripNow, true)
		if err != nil {
			t.Fatalf("%s: %q does not parse back: %v", format, in, err)
		}
		if got != record.FromTime(want) {
			t.Fatalf("%s: %q parses as %v, want %v", format, in, got.Std().UTC(), want)
		}
	})
}
