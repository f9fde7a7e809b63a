package parser

import (
	"errors"
	"testing"
	"time"
)

func TestTimeLayoutParse(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	cases := []struct {
		format, in string
		offset     int
		want       time.Time
	}{
		{"%Y-%m-%dT%H:%M:%S.%L%z", "2017-05-17T15:44:31.187512963Z", 0, utc(2017, 5, 17, 15, 44, 31, 187512963)},
		{"%Y-%m-%dT%H:%M:%S.%L%z", "2017-05-17T17:44:31.187+02:00", 0, utc(2017, 5, 17, 15, 44, 31, 187000000)},
		{"%Y-%m-%dT%H:%M:%S.%L", "2017-05-17T15:44:31.5", 0, utc(2017, 5, 17, 15, 44, 31, 500000000)},
		{"%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 -0700", 0, utc(2000, 10, 10, 20, 55, 36, 0)},
		{"%b %d %H:%M:%S", "Jun  3 08:01:02", 0, utc(2026, 6, 3, 8, 1, 2, 0)},
		{"%b %e %H:%M:%S", "Dec 31 23:59:59", 0, utc(2025, 12, 31, 23, 59, 59, 0)}, // previous year: not six months ahead
		{"%Y-%m-%d %H:%M:%S", "2020-01-02 03:04:05", 3600, utc(2020, 1, 2, 2, 4, 5, 0)},
		{"%s", "1500000000", 0, time.Unix(1500000000, 0).UTC()},
		{"%s.%L", "1500000000.25", 0, time.Unix(1500000000, 250000000).UTC()},
		{"%F %T", "2021-03-04 05:06:07", 0, utc(2021, 3, 4, 5, 6, 7, 0)},
		{"%D %I:%M:%S %p", "03/04/21 05:06:07 PM", 0, utc(2021, 3, 4, 17, 6, 7, 0)},
		{"%a, %d %b %Y %H:%M:%S %Z", "Mon, 02 Jan 2006 15:04:05 GMT", 0, utc(2006, 1, 2, 15, 4, 5, 0)},
		{"%Y %j", "2020 060", 0, utc(2020, 2, 29, 0, 0, 0, 0)},
		{"%Y-%m-%dT%H:%M:%S%z", "2021-07-01T00:00:00+0530", 0, utc(2021, 6, 30, 18, 30, 0, 0)},
		{"%y%m%d %H:%M:%S", "211231 23:00:00", 0, utc(2021, 12, 31, 23, 0, 0, 0)},
		{"%d/%B/%Y %H:%M", "1/january/1999 00:00", 0, utc(1999, 1, 1, 0, 0, 0, 0)},
		{"%Y-%m-%dT%H:%M:%S,%L", "2021-01-01T00:00:00,123", 0, utc(2021, 1, 1, 0, 0, 0, 123000000)},
		{"%%%Y", "%2020", 0, utc(2020, 1, 1, 0, 0, 0, 0)},
		{"%Y-%m-%dT%H:%M:%S.%L%z", "2003-10-11T22:14:15Z", 0, utc(2003, 10, 11, 22, 14, 15, 0)}, // optional fraction
		{"%Y-%m-%dT%H:%M:%S.%L%z", "2003-10-11T22:14:15+01:00", 0, utc(2003, 10, 11, 21, 14, 15, 0)},
	}
	for _, c := range cases {
		l, err := ParseTimeLayout(c.format)
		if err != nil {
			t.Fatalf("%q: %v", c.format, err)
		}
		got, err := l.Parse([]byte(c.in), time.FixedZone("", c.offset), fixedNow, true)
		if err != nil {
			t.Errorf("Parse(%q, %q): %v", c.format, c.in, err)
			continue
		}
		if !got.Std().Equal(c.want) {
			t.Errorf("Parse(%q, %q) = %s, want %s", c.format, c.in, got.Std().UTC(), c.want)
		}
	}
}

func TestTimeLayoutErrors(t *testing.T) {
	for _, c := range []struct{ format, in string }{
		{"%Y-%m-%d", "2020/01/01"},
		{"%Y-%m-%d", "2020-13-01"},
		{"%H:%M:%S", "12:00"},
		{"%b", "Foo"},
		{"%z", "+25:00"},
		{"%S.%L", "01."},
	} {
		l, err := ParseTimeLayout(c.format)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Parse([]byte(c.in), nil, fixedNow, true); !errors.Is(err, ErrTimeFormat) {
			t.Errorf("Parse(%q, %q) = %v, want ErrTimeFormat", c.format, c.in, err)
		}
	}
	l, _ := ParseTimeLayout("%Y-%m-%d %H")
	if _, err := l.Parse([]byte("2020-01-01 trailing"), nil, fixedNow, true); err == nil {
		t.Error("Time_Strict on: a mismatch must be an error")
	}
	got, err := l.Parse([]byte("2020-01-02 trailing"), nil, fixedNow, false)
	if err != nil || !got.Std().Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time_Strict off: the fields before the mismatch make the time, got %v, %v", got.Std(), err)
	}
	if got, err := l.Parse([]byte("2020-01-02 03Z and more"), nil, fixedNow, true); err != nil || got.Std().Hour() != 3 {
		t.Errorf("text after the format must be ignored: %v, %v", got.Std(), err)
	}
	for _, bad := range []string{"%Q", "abc%"} {
		if _, err := ParseTimeLayout(bad); err == nil {
			t.Errorf("ParseTimeLayout(%q) must fail", bad)
		}
	}
}

func TestParseOffset(t *testing.T) {
	for in, want := range map[string]int{"+0200": 7200, "-0600": -21600, "-07:30": -27000, "Z": 0, "+05": 18000} {
		if got, err := ParseOffset(in); err != nil || got != want {
			t.Errorf("ParseOffset(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"0200", "+2", "+02000", "UTC+1"} {
		if _, err := ParseOffset(bad); err == nil {
			t.Errorf("ParseOffset(%q) must fail", bad)
		}
	}
}
