package multiline

import (
	"bytes"
	"errors"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sluice-logs/sluice/internal/record"
)

// ContainerLine is one line of a container runtime's log file, decoded.
type ContainerLine struct {
	Time   record.Time
	Stream []byte // stdout or stderr
	// Partial is set when the runtime split a longer line here and its
	// rest follows in the next line of the same stream.
	Partial bool
	// Log is the text without the runtime's framing (and, for docker,
	// without its final newline). It aliases the input, or for docker
	// lines with escapes, the scratch buffer passed to DecodeDocker.
	Log []byte
}

var errNotCRI = errors.New("not a CRI log line")

// DecodeCRI decodes a CRI log line, `<RFC 3339 time> <stream> <tag> <log>`,
// where the tag is P (partial) or F (full), optionally followed by
// colon-separated fields. It does not allocate.
func DecodeCRI(line []byte) (ContainerLine, error) {
	var c ContainerLine
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return c, errNotCRI
	}
	t, err := parseTime(line[:sp])
	if err != nil {
		return c, errNotCRI
	}
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return c, errNotCRI
	}
	stream := rest[:sp]
	if !bytes.Equal(stream, stdout) && !bytes.Equal(stream, stderr) {
		return c, errNotCRI
	}
	rest = rest[sp+1:]
	tag := rest
	if sp = bytes.IndexByte(rest, ' '); sp >= 0 {
		tag, rest = rest[:sp], rest[sp+1:]
	} else {
		rest = rest[len(rest):]
	}
	if i := bytes.IndexByte(tag, ':'); i >= 0 {
		tag = tag[:i]
	}
	switch string(tag) {
	case "P":
		c.Partial = true
	case "F":
	default:
		return c, errNotCRI
	}
	c.Time, c.Stream, c.Log = t, stream, rest
	return c, nil
}

var (
	stdout = []byte("stdout")
	stderr = []byte("stderr")
)

// parseTime reads an RFC 3339 time with optional fractional seconds, as
// CRI and Docker write them: 2024-05-01T12:00:00.123456789Z or with a
// ±hh:mm offset. The common shape is decoded by hand (time.Parse costs
// more than the rest of a CRI line); anything else goes to time.Parse.
func parseTime(b []byte) (record.Time, error) {
	if t, ok := fastTime(b); ok {
		return t, nil
	}
	// time.Parse does not retain its input, so the conversion does not
	// allocate.
	t, err := time.Parse(time.RFC3339Nano, unsafeString(b))
	if err != nil {
		return 0, err
	}
	return record.FromTime(t), nil
}

// fastTime decodes YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm) with every
// field in range, or reports false.
func fastTime(b []byte) (record.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return 0, false
	}
	rest := b[19:]
	nsec := 0
	if rest[0] == '.' {
		i := 1
		scale := 100000000
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			if i > 9 {
				return 0, false
			}
			nsec += int(rest[i]-'0') * scale
			scale /= 10
		}
		if i == 1 {
			return 0, false
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := num(rest[1:3])
		om, ok2 := num(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // February 30th and the like: let time.Parse reject it
		return 0, false
	}
	return record.FromTime(t.Add(-time.Duration(offset) * time.Second)), true
}

var errNotDocker = errors.New("not a Docker json-file line")

// DecodeDocker decodes a Docker json-file line,
// {"log":"text\n","stream":"stdout","time":"2024-05-01T12:00:00.000000001Z"}.
// Unescaped text is appended to scratch, which is returned for reuse;
// keys other than log, stream and time are ignored.
func DecodeDocker(line, scratch []byte) (ContainerLine, []byte, error) {
	var c ContainerLine
	p := bytes.TrimSpace(line)
	if len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}' {
		return c, scratch, errNotDocker
	}
	p = p[1:]
	scratch = scratch[:0]
	var haveLog bool
	for {
		p = skipSpace(p)
		if len(p) > 0 && p[0] == '}' {
			break
		}
		var key, val []byte
		var ok bool
		if key, p, ok = jsonRawString(p); !ok {
			return c, scratch, errNotDocker
		}
		if bytes.IndexByte(key, '\\') >= 0 { // {"l\u006fg": ...} is a log key too
			var buf [16]byte
			if key, ok = unescape(buf[:0], key); !ok {
				return c, scratch, errNotDocker
			}
		}
		p = skipSpace(p)
		if len(p) == 0 || p[0] != ':' {
			return c, scratch, errNotDocker
		}
		p = skipSpace(p[1:])
		switch string(key) {
		case "log", "stream", "time":
			if val, p, ok = jsonRawString(p); !ok {
				return c, scratch, errNotDocker
			}
		default:
			if p, ok = skipValue(p); !ok {
				return c, scratch, errNotDocker
			}
		}
		switch string(key) {
		case "log":
			if bytes.IndexByte(val, '\\') >= 0 {
				at := len(scratch)
				if scratch, ok = unescape(scratch, val); !ok {
					return c, scratch, errNotDocker
				}
				val = scratch[at:]
			}
			c.Log, haveLog = val, true
		case "stream":
			c.Stream = val
		case "time":
			t, err := parseTime(val)
			if err != nil {
				return c, scratch, errNotDocker
			}
			c.Time = t
		}
		p = skipSpace(p)
		if len(p) > 0 && p[0] == ',' {
			p = p[1:]
			continue
		}
		if len(p) > 0 && p[0] == '}' {
			break
		}
		return c, scratch, errNotDocker
	}
	if !haveLog {
		return c, scratch, errNotDocker
	}
	if n := len(c.Log); n > 0 && c.Log[n-1] == '\n' {
		c.Log = c.Log[:n-1]
	} else {
		c.Partial = true
	}
	return c, scratch, nil
}

func skipSpace(p []byte) []byte {
	for len(p) > 0 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n') {
		p = p[1:]
	}
	return p
}

// jsonRawString returns the still-escaped contents of the JSON string at
// the start of p and what follows it.
func jsonRawString(p []byte) (s, rest []byte, ok bool) {
	if len(p) == 0 || p[0] != '"' {
		return nil, p, false
	}
	for i := 1; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '"':
			return p[1:i], p[i+1:], true
		}
	}
	return nil, p, false
}

// skipValue skips one JSON value of any type.
func skipValue(p []byte) ([]byte, bool) {
	depth := 0
	for len(p) > 0 {
		switch p[0] {
		case '"':
			var ok bool
			if _, p, ok = jsonRawString(p); !ok {
				return p, false
			}
			if depth == 0 {
				return p, true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return p, true
			}
			depth--
			if depth == 0 {
				return p[1:], true
			}
		case ',':
			if depth == 0 {
				return p, true
			}
		}
		p = p[1:]
	}
	return p, depth == 0
}

// unescape appends the decoded JSON string contents s to dst.
func unescape(dst, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(s) {
			return dst, false
		}
		switch s[i] {
		case '"', '\\', '/':
			dst = append(dst, s[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				return dst, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if lo, ok := hex4(s, i+3); ok && i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if d := utf16.DecodeRune(r, lo); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
	return dst, true
}

func hex4(s []byte, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
