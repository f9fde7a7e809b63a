package recordstream

import (
	"bytes"
	"errors"
	"fmt"
)

// jsonSplitter finds complete top-level JSON values in a byte stream
// without decoding them: it tracks nesting, strings and escapes across
// reads, so a value split over several TCP segments is found whole.
type jsonSplitter struct {
	depth    int
	inString bool
	escaped  bool
	started  bool
}

// errNotObject is what a client gets for a top-level value that is not an
// object or an array of objects.
var errNotObject = errors.New("expected a JSON object")

// next scans buf from pos for the end of the value that started at the
// first non-space byte. It returns the end offset (exclusive) and true
// when a value is complete, or the offset scanned to and false when more
// bytes are needed. Leading white space is skipped (start tells where the
// value begins).
func (s *jsonSplitter) next(buf []byte, pos int) (start, end int, done bool, err error) {
	start = -1
	if s.started {
		start = 0
	}
	for i := pos; i < len(buf); i++ {
		c := buf[i]
		if !s.started {
			switch c {
			case ' ', '\t', '\r', '\n':
				continue
			case '{', '[':
				s.started, s.depth, start = true, 1, i
				continue
			default:
				return i, i, false, fmt.Errorf("%w, got %q at byte %d", errNotObject, c, i)
			}
		}
		if s.inString {
			switch {
			case s.escaped:
				s.escaped = false
			case c == '\\':
				s.escaped = true
			case c == '"':
				s.inString = false
			}
			continue
		}
		switch c {
		case '"':
			s.inString = true
		case '{', '[':
			s.depth++
			if s.depth > maxDepth {
				return start, i, false, fmt.Errorf("JSON nested more than %d levels", maxDepth)
			}
		case '}', ']':
			s.depth--
			if s.depth == 0 {
				*s = jsonSplitter{}
				return start, i + 1, true, nil
			}
		}
	}
	if start < 0 {
		start = len(buf)
	}
	return start, len(buf), false, nil
}

// maxDepth matches package record's nesting bound.
const maxDepth = 100

// ParseSeparator turns the Separator parameter into bytes: \n, \r, \t and
// \\ are understood, as Fluent Bit users write them in configuration
// files.
func ParseSeparator(s string) []byte {
	r := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				r = append(r, '\n')
				i++
				continue
			case 'r':
				r = append(r, '\r')
				i++
				continue
			case 't':
				r = append(r, '\t')
				i++
				continue
			case '\\':
				r = append(r, '\\')
				i++
				continue
			}
		}
		r = append(r, s[i])
	}
	if len(r) == 0 {
		return []byte{'\n'}
	}
	return r
}

// splitText calls fn for every complete record of buf separated by sep,
// until fn returns false, and returns the bytes not yet handed to fn.
func splitText(buf, sep []byte, fn func(line []byte) bool) []byte {
	for {
		i := bytes.Index(buf, sep)
		if i < 0 {
			return buf
		}
		if !fn(buf[:i]) {
			return buf
		}
		buf = buf[i+len(sep):]
	}
}
