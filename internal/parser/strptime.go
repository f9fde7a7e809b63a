package parser

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

// TimeLayout is a compiled strptime(3) format, as written in Time_Format.
// It supports the conversions Fluent Bit's users write:
//
//	%Y %C %y  year (4 digits, century, 2 digits: 69-99 are 19xx)
//	%m %b %B %h  month (number, abbreviated or full English name)
//	%d %e  day of month      %j  day of year
//	%H %k %I %l  hour (24 h, 12 h)   %p  AM/PM
//	%M  minute   %S  second   %L  fractional seconds (Fluent Bit's extension, any number of digits)
//	%s  seconds since the Epoch (may be followed by %L)
//	%z  offset +hhmm, +hh:mm, +hh or Z     %Z  zone name (UTC, GMT, Z; other names read as UTC)
//	%a %A  weekday name (checked, not used)   %u %w  weekday number (ignored)
//	%T = %H:%M:%S  %D = %m/%d/%y  %F = %Y-%m-%d  %R = %H:%M  %r = %I:%M:%S %p
//	%n %t and spaces  any run of white space (also none)   %%  a literal %
//
// A format without a year (syslog's "%b %d %H:%M:%S") takes the current
// year, as Fluent Bit does; a parsed time more than a day in the future is
// taken from the previous year, so December lines read in January are not
// placed eleven months ahead.
type TimeLayout struct {
	format string
	steps  []step
	// hasYear, hasZone: whether the format sets them.
	hasYear, hasZone bool
}

type stepKind uint8

const (
	stepLiteral stepKind = iota
	stepSpace
	stepNum // a number of up to width digits into field
	stepMonthName
	stepWeekday
	stepAMPM
	stepFrac
	stepEpoch
	stepZoneOffset
	stepZoneName
)

// Fields a numeric step fills.
const (
	fYear = iota
	fCentury
	fYear2
	fMonth
	fDay
	fYday
	fHour
	fHour12
	fMinute
	fSecond
	fIgnore
	numFields
)

type step struct {
	kind  stepKind
	field int
	width int
	lit   byte
	// optional marks a fraction written after a '.' or ',' literal: the
	// separator and its digits may both be absent.
	optional bool
}

// ErrTimeFormat is wrapped by every error of TimeLayout.Parse.
var ErrTimeFormat = errors.New("time does not match Time_Format")

// ParseTimeLayout compiles a strptime format.
func ParseTimeLayout(format string) (*TimeLayout, error) {
	l := &TimeLayout{format: format}
	expanded := expandComposites(format)
	for i := 0; i < len(expanded); i++ {
		c := expanded[i]
		if c == ' ' || c == '\t' || c == '\n' {
			l.steps = append(l.steps, step{kind: stepSpace})
			continue
		}
		if c != '%' {
			l.steps = append(l.steps, step{kind: stepLiteral, lit: c})
			continue
		}
		i++
		if i >= len(expanded) {
			return nil, fmt.Errorf("Time_Format %q ends with a lone %%", format)
		}
		c = expanded[i]
		if c == 'E' || c == 'O' { // POSIX modifiers: same conversion
			i++
			if i >= len(expanded) {
				return nil, fmt.Errorf("Time_Format %q ends with a lone %%%c", format, c)
			}
			c = expanded[i]
		}
		var s step
		switch c {
		case 'Y':
			s, l.hasYear = step{kind: stepNum, field: fYear, width: 4}, true
		case 'C':
			s = step{kind: stepNum, field: fCentury, width: 2}
		case 'y':
			s, l.hasYear = step{kind: stepNum, field: fYear2, width: 2}, true
		case 'm':
			s = step{kind: stepNum, field: fMonth, width: 2}
		case 'd', 'e':
			s = step{kind: stepNum, field: fDay, width: 2}
		case 'j':
			s = step{kind: stepNum, field: fYday, width: 3}
		case 'H', 'k':
			s = step{kind: stepNum, field: fHour, width: 2}
		case 'I', 'l':
			s = step{kind: stepNum, field: fHour12, width: 2}
		case 'M':
			s = step{kind: stepNum, field: fMinute, width: 2}
		case 'S':
			s = step{kind: stepNum, field: fSecond, width: 2}
		case 'u', 'w':
			s = step{kind: stepNum, field: fIgnore, width: 1}
		case 'U', 'W', 'V':
			s = step{kind: stepNum, field: fIgnore, width: 2}
		case 'b', 'B', 'h':
			s = step{kind: stepMonthName}
		case 'a', 'A':
			s = step{kind: stepWeekday}
		case 'p', 'P':
			s = step{kind: stepAMPM}
		case 'L', 'f', 'N':
			s = step{kind: stepFrac}
			// "%S.%L": the separator and the fraction are optional
			// together, so RFC 5424's "22:14:15Z" reads like
			// "22:14:15.000Z" (Fluent Bit rejects it).
			if n := len(l.steps); n > 0 && l.steps[n-1].kind == stepLiteral && (l.steps[n-1].lit == '.' || l.steps[n-1].lit == ',') {
				l.steps = l.steps[:n-1]
				s.optional = true
			}
		case 's':
			s, l.hasYear, l.hasZone = step{kind: stepEpoch}, true, true
		case 'z':
			s, l.hasZone = step{kind: stepZoneOffset}, true
		case 'Z':
			s, l.hasZone = step{kind: stepZoneName}, true
		case 'n', 't':
			s = step{kind: stepSpace}
		case '%':
			s = step{kind: stepLiteral, lit: '%'}
		default:
			return nil, fmt.Errorf("Time_Format %q: unsupported conversion %%%c", format, c)
		}
		l.steps = append(l.steps, s)
	}
	return l, nil
}

// expandComposites rewrites %T, %D, %F, %R, %r, %c-free composites into
// their parts.
func expandComposites(f string) string {
	if !strings.Contains(f, "%") {
		return f
	}
	r := strings.NewReplacer("%%", "%%", "%T", "%H:%M:%S", "%D", "%m/%d/%y", "%F", "%Y-%m-%d",
		"%R", "%H:%M", "%r", "%I:%M:%S %p")
	return r.Replace(f)
}

// String returns the format as written.
func (l *TimeLayout) String() string { return l.format }

// HasZone reports whether the format reads a time zone (%z, %Z or %s);
// Time_Offset applies only to formats without one.
func (l *TimeLayout) HasZone() bool { return l.hasZone }

var monthNames = [12]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}
var dayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// Parse reads s. Times without a zone are taken in loc (UTC when nil):
// Time_Offset's fixed zone, or the system's with Time_System_Timezone. now supplies the year when the format has none. Text after the end
// of the format is ignored, as Fluent Bit ignores it (Docker's trailing Z
// after %L). With strict set (Time_Strict, the default) a time that does
// not match the format is an error; otherwise the fields read before the
// mismatch make the time, as in Fluent Bit.
func (l *TimeLayout) Parse(s []byte, loc *time.Location, now time.Time, strict bool) (record.Time, error) {
	var v [numFields]int
	set := [numFields]bool{}
	var nsec int64
	epoch, isEpoch := int64(0), false
	zone, hasZone := 0, false
	pm, hasAMPM := false, false
	pos := 0
	var mismatch error
steps:
	for _, st := range l.steps {
		if mismatch != nil {
			if strict {
				return 0, mismatch
			}
			break steps
		}
		switch st.kind {
		case stepLiteral:
			if pos >= len(s) || s[pos] != st.lit {
				mismatch = l.mismatch(s, pos)
				continue
			}
			pos++
		case stepSpace:
			for pos < len(s) && isSpace(s[pos]) {
				pos++
			}
		case stepNum:
			for pos < len(s) && s[pos] == ' ' { // space-padded %e, %k, %l
				pos++
			}
			n, w := digitsAt(s, pos, st.width)
			if w == 0 {
				mismatch = l.mismatch(s, pos)
				continue
			}
			pos += w
			v[st.field], set[st.field] = n, true
		case stepMonthName:
			m, w := nameAt(s, pos, monthNames[:])
			if w == 0 {
				mismatch = l.mismatch(s, pos)
				continue
			}
			pos += w
			v[fMonth], set[fMonth] = m+1, true
		case stepWeekday:
			_, w := nameAt(s, pos, dayNames[:])
			if w == 0 {
				mismatch = l.mismatch(s, pos)
				continue
			}
			pos += w
		case stepAMPM:
			if pos+2 > len(s) {
				mismatch = l.mismatch(s, pos)
				continue
			}
			switch strings.ToLower(string(s[pos : pos+2])) {
			case "am":
			case "pm":
				pm = true
			default:
				mismatch = l.mismatch(s, pos)
				continue
			}
			hasAMPM = true
			pos += 2
		case stepFrac:
			// Fluent Bit's %L follows %S or %s and reads the digits of the
			// fraction; a leading '.' or ',' is taken too when the format
			// did not write one.
			if pos < len(s) && (s[pos] == '.' || s[pos] == ',') && (pos == 0 || s[pos-1] >= '0' && s[pos-1] <= '9') {
				pos++
			} else if st.optional {
				continue
			}
			start := pos
			var frac int64
			for pos < len(s) && s[pos] >= '0' && s[pos] <= '9' {
				if pos-start < 9 {
					frac = frac*10 + int64(s[pos]-'0')
				}
				pos++
			}
			if pos == start {
				mismatch = l.mismatch(s, pos)
				continue
			}
			for d := pos - start; d < 9; d++ {
				frac *= 10
			}
			nsec = frac
		case stepEpoch:
			neg := pos < len(s) && s[pos] == '-'
			if neg {
				pos++
			}
			start := pos
			for pos < len(s) && s[pos] >= '0' && s[pos] <= '9' && pos-start < 12 {
				epoch = epoch*10 + int64(s[pos]-'0')
				pos++
			}
			if pos == start {
				mismatch = l.mismatch(s, pos)
				continue
			}
			if neg {
				epoch = -epoch
			}
			isEpoch = true
		case stepZoneOffset:
			off, w, ok := zoneOffsetAt(s, pos)
			if !ok {
				mismatch = l.mismatch(s, pos)
				continue
			}
			zone, hasZone, pos = off, true, pos+w
		case stepZoneName:
			start := pos
			for pos < len(s) && (s[pos] >= 'A' && s[pos] <= 'Z' || s[pos] >= 'a' && s[pos] <= 'z') {
				pos++
			}
			if pos == start {
				// A numeric zone where a name was expected: glibc accepts it.
				off, w, ok := zoneOffsetAt(s, pos)
				if !ok {
					mismatch = l.mismatch(s, pos)
					continue
				}
				zone, hasZone, pos = off, true, pos+w
				continue
			}
			zone, hasZone = 0, true
		}
	}
	if mismatch != nil && strict {
		return 0, mismatch
	}
	if isEpoch {
		return record.Time(epoch*1e9 + nsec), nil
	}
	year := now.Year()
	switch {
	case set[fYear]:
		year = v[fYear]
	case set[fYear2] && set[fCentury]:
		year = v[fCentury]*100 + v[fYear2]
	case set[fYear2]:
		year = 1900 + v[fYear2]
		if v[fYear2] < 69 {
			year = 2000 + v[fYear2]
		}
	case set[fCentury]:
		year = v[fCentury] * 100
	}
	hour := v[fHour]
	if set[fHour12] {
		hour = v[fHour12] % 12
		if hasAMPM && pm {
			hour += 12
		}
	} else if hasAMPM && pm && hour < 12 {
		hour += 12
	}
	month, day := 1, 1
	if set[fMonth] {
		month = v[fMonth]
	}
	if set[fDay] {
		day = v[fDay]
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || v[fMinute] > 59 || v[fSecond] > 61 {
		return 0, fmt.Errorf("%w: %q has a field out of range for %q", ErrTimeFormat, s, l.format)
	}
	switch {
	case hasZone:
		loc = time.FixedZone("", zone)
	case loc == nil:
		loc = time.UTC
	}
	var t time.Time
	if set[fYday] && !set[fMonth] && !set[fDay] {
		t = time.Date(year, 1, 1, hour, v[fMinute], v[fSecond], int(nsec), loc).AddDate(0, 0, v[fYday]-1)
	} else {
		t = time.Date(year, time.Month(month), day, hour, v[fMinute], v[fSecond], int(nsec), loc)
	}
	if !l.hasYear && t.After(now.Add(24*time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return record.FromTime(t), nil
}

func (l *TimeLayout) mismatch(s []byte, pos int) error {
	return fmt.Errorf("%w: %q does not match %q at byte %d", ErrTimeFormat, s, l.format, pos)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// digitsAt reads up to width decimal digits at pos.
func digitsAt(s []byte, pos, width int) (n, w int) {
	for w < width && pos+w < len(s) && s[pos+w] >= '0' && s[pos+w] <= '9' {
		n = n*10 + int(s[pos+w]-'0')
		w++
	}
	return n, w
}

// nameAt matches a full or three-letter English name, case-insensitively.
func nameAt(s []byte, pos int, names []string) (idx, w int) {
	for i, name := range names {
		if pos+len(name) <= len(s) && strings.EqualFold(string(s[pos:pos+len(name)]), name) {
			return i, len(name)
		}
	}
	for i, name := range names {
		if pos+3 <= len(s) && strings.EqualFold(string(s[pos:pos+3]), name[:3]) {
			return i, 3
		}
	}
	return 0, 0
}

// zoneOffsetAt reads Z, +hh, +hhmm or +hh:mm and returns seconds east of UTC.
func zoneOffsetAt(s []byte, pos int) (off, w int, ok bool) {
	if pos < len(s) && (s[pos] == 'Z' || s[pos] == 'z') {
		return 0, 1, true
	}
	if pos >= len(s) || (s[pos] != '+' && s[pos] != '-') {
		return 0, 0, false
	}
	sign := 1
	if s[pos] == '-' {
		sign = -1
	}
	hh, hw := digitsAt(s, pos+1, 2)
	if hw != 2 {
		return 0, 0, false
	}
	w = 3
	mm := 0
	if pos+w < len(s) && s[pos+w] == ':' {
		m, mw := digitsAt(s, pos+w+1, 2)
		if mw != 2 {
			return 0, 0, false
		}
		mm, w = m, w+3
	} else if m, mw := digitsAt(s, pos+w, 2); mw == 2 {
		mm, w = m, w+2
	}
	if hh > 23 || mm > 59 {
		return 0, 0, false
	}
	return sign * (hh*3600 + mm*60), w, true
}

// ParseOffset reads a Time_Offset value such as +0200, -07:00 or Z into
// seconds east of UTC.
func ParseOffset(raw string) (int, error) {
	raw = strings.TrimSpace(raw)
	off, w, ok := zoneOffsetAt([]byte(raw), 0)
	if !ok || w != len(raw) {
		return 0, fmt.Errorf("invalid Time_Offset %q; write +hhmm or -hhmm, e.g. -0600", raw)
	}
	return off, nil
}
