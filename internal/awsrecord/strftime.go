package awsrecord

import (
	"fmt"
	"strconv"
	"time"
)

// Strftime is a compiled strftime(3) layout. Times are formatted in UTC, as
// Fluent Bit's AWS outputs format them (gmtime_r). Besides the C
// conversions (%Y %m %d %H %M %S %y %j %e %I %p %a %A %b %B %h %Z %z %s %F
// %T %D %R %n %t %%) it supports Fluent Bit's sub-second extensions: %3N
// (milliseconds), %6N (microseconds), %9N and %L (nanoseconds). An unknown
// conversion is kept as written, as glibc does.
type Strftime struct {
	source string
	ops    []strftimeOp
}

type strftimeOp struct {
	verb byte   // 0: literal
	lit  string // literal text
}

// CompileStrftime compiles layout. It never fails: every byte sequence is a
// valid layout.
func CompileStrftime(layout string) *Strftime {
	s := &Strftime{source: layout}
	lit := make([]byte, 0, len(layout))
	flush := func() {
		if len(lit) > 0 {
			s.ops = append(s.ops, strftimeOp{lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 == len(layout) {
			lit = append(lit, c)
			continue
		}
		v := layout[i+1]
		switch {
		case v == '%':
			lit = append(lit, '%')
			i++
		case v == 'n':
			lit = append(lit, '\n')
			i++
		case v == 't':
			lit = append(lit, '\t')
			i++
		case (v == '3' || v == '6' || v == '9') && i+2 < len(layout) && layout[i+2] == 'N':
			flush()
			s.ops = append(s.ops, strftimeOp{verb: v})
			i += 2
		case isStrftimeVerb(v):
			flush()
			s.ops = append(s.ops, strftimeOp{verb: v})
			i++
		default:
			lit = append(lit, c)
		}
	}
	flush()
	return s
}

func isStrftimeVerb(v byte) bool {
	switch v {
	case 'Y', 'm', 'd', 'H', 'M', 'S', 'y', 'j', 'e', 'I', 'p', 'a', 'A', 'b', 'B', 'h', 'Z', 'z', 's', 'F', 'T', 'D', 'R', 'L', 'N', 'C', 'u', 'w':
		return true
	}
	return false
}

// String returns the layout as written.
func (s *Strftime) String() string { return s.source }

// HasVerbs reports whether the layout contains any conversion, i.e. whether
// its output depends on the time.
func (s *Strftime) HasVerbs() bool {
	for _, op := range s.ops {
		if op.verb != 0 {
			return true
		}
	}
	return false
}

// Append appends t formatted by the layout to dst.
func (s *Strftime) Append(dst []byte, t time.Time) []byte {
	t = t.UTC()
	for _, op := range s.ops {
		if op.verb == 0 {
			dst = append(dst, op.lit...)
			continue
		}
		dst = appendVerb(dst, op.verb, t)
	}
	return dst
}

func appendVerb(dst []byte, v byte, t time.Time) []byte {
	switch v {
	case 'Y':
		return strconv.AppendInt(dst, int64(t.Year()), 10)
	case 'C':
		return pad(dst, t.Year()/100, 2, '0')
	case 'm':
		return pad(dst, int(t.Month()), 2, '0')
	case 'd':
		return pad(dst, t.Day(), 2, '0')
	case 'e':
		return pad(dst, t.Day(), 2, ' ')
	case 'H':
		return pad(dst, t.Hour(), 2, '0')
	case 'I':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return pad(dst, h, 2, '0')
	case 'p':
		if t.Hour() < 12 {
			return append(dst, "AM"...)
		}
		return append(dst, "PM"...)
	case 'M':
		return pad(dst, t.Minute(), 2, '0')
	case 'S':
		return pad(dst, t.Second(), 2, '0')
	case 'y':
		return pad(dst, t.Year()%100, 2, '0')
	case 'j':
		return pad(dst, t.YearDay(), 3, '0')
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return strconv.AppendInt(dst, int64(wd), 10)
	case 'w':
		return strconv.AppendInt(dst, int64(t.Weekday()), 10)
	case 'a':
		return append(dst, t.Weekday().String()[:3]...)
	case 'A':
		return append(dst, t.Weekday().String()...)
	case 'b', 'h':
		return append(dst, t.Month().String()[:3]...)
	case 'B':
		return append(dst, t.Month().String()...)
	case 'Z':
		return append(dst, "UTC"...)
	case 'z':
		return append(dst, "+0000"...)
	case 's':
		return strconv.AppendInt(dst, t.Unix(), 10)
	case 'F':
		dst = appendVerb(dst, 'Y', t)
		dst = append(dst, '-')
		dst = pad(dst, int(t.Month()), 2, '0')
		dst = append(dst, '-')
		return pad(dst, t.Day(), 2, '0')
	case 'T':
		dst = pad(dst, t.Hour(), 2, '0')
		dst = append(dst, ':')
		dst = pad(dst, t.Minute(), 2, '0')
		dst = append(dst, ':')
		return pad(dst, t.Second(), 2, '0')
	case 'R':
		dst = pad(dst, t.Hour(), 2, '0')
		dst = append(dst, ':')
		return pad(dst, t.Minute(), 2, '0')
	case 'D':
		dst = pad(dst, int(t.Month()), 2, '0')
		dst = append(dst, '/')
		dst = pad(dst, t.Day(), 2, '0')
		dst = append(dst, '/')
		return pad(dst, t.Year()%100, 2, '0')
	case '3':
		return pad(dst, t.Nanosecond()/1e6, 3, '0')
	case '6':
		return pad(dst, t.Nanosecond()/1e3, 6, '0')
	case '9', 'L', 'N':
		return pad(dst, t.Nanosecond(), 9, '0')
	}
	panic(fmt.Sprintf("awsrecord: strftime verb %q not handled", v))
}

// pad appends n in decimal, left-padded with fill to width.
func pad(dst []byte, n, width int, fill byte) []byte {
	var buf [20]byte
	b := strconv.AppendInt(buf[:0], int64(n), 10)
	for i := len(b); i < width; i++ {
		dst = append(dst, fill)
	}
	return append(dst, b...)
}
