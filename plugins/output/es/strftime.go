package es

import (
	"strconv"
	"time"
)

// appendStrftime formats t with the C strftime conversions Fluent Bit's
// users write in Logstash_DateFormat and Time_Key_Format: %Y %y %m %d %e
// %H %M %S %j %b %B %a %A %p %Z %z %s %F %T %D %%. Anything else is copied
// as written.
func appendStrftime(dst []byte, layout string, t time.Time) []byte {
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 == len(layout) {
			dst = append(dst, c)
			continue
		}
		i++
		switch layout[i] {
		case 'Y':
			dst = strconv.AppendInt(dst, int64(t.Year()), 10)
		case 'y':
			dst = append2(dst, t.Year()%100)
		case 'm':
			dst = append2(dst, int(t.Month()))
		case 'd':
			dst = append2(dst, t.Day())
		case 'e':
			if t.Day() < 10 {
				dst = append(dst, ' ')
			}
			dst = strconv.AppendInt(dst, int64(t.Day()), 10)
		case 'H':
			dst = append2(dst, t.Hour())
		case 'M':
			dst = append2(dst, t.Minute())
		case 'S':
			dst = append2(dst, t.Second())
		case 'j':
			d := t.YearDay()
			dst = append(dst, byte('0'+d/100), byte('0'+d/10%10), byte('0'+d%10))
		case 'b':
			dst = append(dst, t.Month().String()[:3]...)
		case 'B':
			dst = append(dst, t.Month().String()...)
		case 'a':
			dst = append(dst, t.Weekday().String()[:3]...)
		case 'A':
			dst = append(dst, t.Weekday().String()...)
		case 'p':
			dst = t.AppendFormat(dst, "PM")
		case 'Z':
			dst = t.AppendFormat(dst, "MST")
		case 'z':
			dst = t.AppendFormat(dst, "-0700")
		case 's':
			dst = strconv.AppendInt(dst, t.Unix(), 10)
		case 'F':
			dst = appendStrftime(dst, "%Y-%m-%d", t)
		case 'T':
			dst = appendStrftime(dst, "%H:%M:%S", t)
		case 'D':
			dst = appendStrftime(dst, "%m/%d/%y", t)
		case '%':
			dst = append(dst, '%')
		default:
			dst = append(dst, '%', layout[i])
		}
	}
	return dst
}

func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10%10), byte('0'+n%10))
}
