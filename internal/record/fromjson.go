package record

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tinylib/msgp/msgp"
)

// AppendJSONAsMsgpack converts one JSON value (RFC 8259; surrounding
// whitespace allowed) to msgpack and appends it to dst. It accepts exactly
// what encoding/json's Valid accepts, except values nested more than 100
// levels deep.
//
// Integers that fit int64 become msgpack integers, larger ones that fit
// uint64 unsigned integers, and every other number a float64 (±Inf when it
// overflows, as 1e400 does). Strings are copied byte for byte, invalid UTF-8
// included; escapes are decoded, and a \u escape of a lone UTF-16 surrogate
// becomes U+FFFD, as encoding/json does.
//
// On error, which wraps ErrMalformed and names the offset in js, it returns
// dst with its original length (its spare capacity may have been written).
func AppendJSONAsMsgpack(dst, js []byte) ([]byte, error) {
	p := jsonParser{src: js}
	p.skipSpace()
	out, err := p.value(dst, 0)
	if err != nil {
		return dst, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return dst, p.errorf("unexpected %q after the JSON value", p.src[p.pos])
	}
	return out, nil
}

type jsonParser struct {
	src []byte
	pos int
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return malformed("json at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// more reports whether input is left.
func (p *jsonParser) more() bool { return p.pos < len(p.src) }

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(dst []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, fmt.Errorf("json at offset %d: %w", p.pos, errTooDeep)
	}
	if !p.more() {
		return dst, p.errorf("unexpected end of input, want a value")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(dst, depth)
	case c == '[':
		return p.array(dst, depth)
	case c == '"':
		return p.str(dst)
	case c == 't':
		return p.literal(dst, "true", 0xc3)
	case c == 'f':
		return p.literal(dst, "false", 0xc2)
	case c == 'n':
		return p.literal(dst, "null", 0xc0)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(dst)
	default:
		return dst, p.errorf("unexpected character %q", c)
	}
}

func (p *jsonParser) literal(dst []byte, word string, code byte) ([]byte, error) {
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		return dst, p.errorf("invalid literal, want %s", word)
	}
	p.pos += len(word)
	return append(dst, code), nil
}

// Containers and strings with escapes are written after a placeholder header
// of the widest form, since their size is known only at the end; the header
// is then rewritten in its shortest form and the content moved up. This
// costs a copy but no pre-scan of the input.
const placeholderLen = 5

func (p *jsonParser) object(dst []byte, depth int) ([]byte, error) {
	p.pos++ // '{'
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0) // placeholderLen
	p.skipSpace()
	if p.more() && p.src[p.pos] == '}' {
		p.pos++
		return closeContainer(dst, at, 0, 0x80, 0xde)
	}
	for n := 1; ; n++ {
		if !p.more() || p.src[p.pos] != '"' {
			return dst, p.errorf("want a string object key")
		}
		var err error
		if dst, err = p.str(dst); err != nil {
			return dst, err
		}
		p.skipSpace()
		if !p.more() || p.src[p.pos] != ':' {
			return dst, p.errorf("want ':' after object key")
		}
		p.pos++
		p.skipSpace()
		if dst, err = p.value(dst, depth+1); err != nil {
			return dst, err
		}
		done, err := p.next('}')
		if err != nil {
			return dst, err
		}
		if done {
			return closeContainer(dst, at, n, 0x80, 0xde)
		}
	}
}

func (p *jsonParser) array(dst []byte, depth int) ([]byte, error) {
	p.pos++ // '['
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0) // placeholderLen
	p.skipSpace()
	if p.more() && p.src[p.pos] == ']' {
		p.pos++
		return closeContainer(dst, at, 0, 0x90, 0xdc)
	}
	for n := 1; ; n++ {
		var err error
		if dst, err = p.value(dst, depth+1); err != nil {
			return dst, err
		}
		done, err := p.next(']')
		if err != nil {
			return dst, err
		}
		if done {
			return closeContainer(dst, at, n, 0x90, 0xdc)
		}
	}
}

// next consumes the separator after a container element: done is true after
// the closing bracket, false after a comma.
func (p *jsonParser) next(closing byte) (done bool, err error) {
	p.skipSpace()
	if !p.more() {
		return false, p.errorf("unexpected end of input, want ',' or %q", closing)
	}
	switch p.src[p.pos] {
	case closing:
		p.pos++
		return true, nil
	case ',':
		p.pos++
		p.skipSpace()
		return false, nil
	}
	return false, p.errorf("unexpected %q, want ',' or %q", p.src[p.pos], closing)
}

// closeContainer writes the header of the n-element container whose
// placeholder is at at: fix|n below 16, else the 16- or 32-bit form, whose
// codes are code16 and code16+1.
func closeContainer(dst []byte, at, n int, fix, code16 byte) ([]byte, error) {
	var hdr [placeholderLen]byte
	var w int
	switch {
	case n < 16:
		hdr[0], w = fix|byte(n), 1
	case n <= math.MaxUint16:
		hdr[0], w = code16, 3
		binary.BigEndian.PutUint16(hdr[1:], uint16(n))
	case n <= math.MaxUint32:
		hdr[0], w = code16+1, 5
		binary.BigEndian.PutUint32(hdr[1:], uint32(n))
	default:
		return dst, malformed("json container has %d elements, more than msgpack allows", n)
	}
	return shrinkHeader(dst, at, hdr[:w]), nil
}

// shrinkHeader replaces the placeholder at at with hdr and moves what
// follows it up.
func shrinkHeader(dst []byte, at int, hdr []byte) []byte {
	copy(dst[at:], hdr)
	if len(hdr) < placeholderLen {
		copy(dst[at+len(hdr):], dst[at+placeholderLen:])
		dst = dst[:len(dst)-(placeholderLen-len(hdr))]
	}
	return dst
}

// number converts a JSON number, checking the RFC 8259 grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? that strconv is laxer about.
func (p *jsonParser) number(dst []byte) ([]byte, error) {
	start := p.pos
	neg := p.src[p.pos] == '-'
	if neg {
		p.pos++
	}
	intStart := p.pos
	switch {
	case p.more() && p.src[p.pos] == '0':
		p.pos++
	case p.digits() == 0:
		return dst, p.errorf("invalid number: want a digit")
	}
	intEnd := p.pos
	isFloat := false
	if p.more() && p.src[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return dst, p.errorf("invalid number: want a digit after '.'")
		}
		isFloat = true
	}
	if p.more() && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.more() && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return dst, p.errorf("invalid number: want a digit in the exponent")
		}
		isFloat = true
	}
	if !isFloat {
		if u, ok := parseUint(p.src[intStart:intEnd]); ok {
			switch {
			case !neg && u <= math.MaxInt64:
				return msgp.AppendInt64(dst, int64(u)), nil
			case !neg:
				return msgp.AppendUint64(dst, u), nil
			case u <= 1<<63:
				// -u in two's complement, exact down to math.MinInt64.
				return msgp.AppendInt64(dst, int64(-u)), nil
			}
		}
	}
	// The grammar is checked, so the only possible error is ErrRange, with
	// f set to ±Inf.
	f, _ := strconv.ParseFloat(string(p.src[start:p.pos]), 64)
	return msgp.AppendFloat64(dst, f), nil
}

// digits consumes decimal digits and returns how many.
func (p *jsonParser) digits() int {
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}

// parseUint parses decimal digits; ok is false when they overflow uint64.
func parseUint(digits []byte) (u uint64, ok bool) {
	for _, c := range digits {
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	return u, true
}

// str converts a JSON string to a msgpack string. Strings without escapes
// are copied in one step; others are unescaped after a placeholder header
// that is then shortened.
func (p *jsonParser) str(dst []byte) ([]byte, error) {
	p.pos++ // opening quote
	start := p.pos
	p.pos += plainRun(p.src[p.pos:], false)
	if p.more() && p.src[p.pos] == '"' {
		dst = msgp.AppendStringFromBytes(dst, p.src[start:p.pos])
		p.pos++
		return dst, nil
	}
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0) // placeholderLen
	dst = append(dst, p.src[start:p.pos]...)
	for p.more() {
		switch c := p.src[p.pos]; {
		case c == '"':
			p.pos++
			return closeString(dst, at)
		case c == '\\':
			var err error
			if dst, err = p.escape(dst); err != nil {
				return dst, err
			}
		case c < 0x20:
			return dst, p.errorf("control character %q in string", c)
		}
		n := plainRun(p.src[p.pos:], false)
		dst = append(dst, p.src[p.pos:p.pos+n]...)
		p.pos += n
	}
	return dst, p.errorf("unterminated string")
}

// closeString writes the header of the string whose placeholder is at at.
func closeString(dst []byte, at int) ([]byte, error) {
	n := len(dst) - at - placeholderLen
	var hdr [placeholderLen]byte
	var w int
	switch {
	case n < 32:
		hdr[0], w = 0xa0|byte(n), 1
	case n <= math.MaxUint8:
		hdr[0], hdr[1], w = 0xd9, byte(n), 2
	case n <= math.MaxUint16:
		hdr[0], w = 0xda, 3
		binary.BigEndian.PutUint16(hdr[1:], uint16(n))
	case n <= math.MaxUint32:
		hdr[0], w = 0xdb, 5
		binary.BigEndian.PutUint32(hdr[1:], uint32(n))
	default:
		return dst, malformed("json string of %d bytes is longer than msgpack allows", n)
	}
	return shrinkHeader(dst, at, hdr[:w]), nil
}

func (p *jsonParser) escape(dst []byte) ([]byte, error) {
	if p.pos+1 >= len(p.src) {
		return dst, p.errorf("unterminated escape")
	}
	c := p.src[p.pos+1]
	switch c {
	case '"', '\\', '/':
		dst = append(dst, c)
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
		return p.unicodeEscape(dst)
	default:
		return dst, p.errorf("invalid escape \\%c", c)
	}
	p.pos += 2
	return dst, nil
}

// unicodeEscape decodes \uXXXX at p.pos, or a surrogate pair \uXXXX\uXXXX.
// Any other surrogate becomes U+FFFD and the escape after it, if any, is
// left to be decoded on its own, as encoding/json does.
func (p *jsonParser) unicodeEscape(dst []byte) ([]byte, error) {
	r, ok := hex4(p.src, p.pos+2)
	if !ok {
		return dst, p.errorf("invalid \\u escape")
	}
	p.pos += 6
	if utf16.IsSurrogate(r) {
		if r2, ok := p.lowSurrogate(); ok && r < 0xdc00 {
			p.pos += 6
			r = utf16.DecodeRune(r, r2)
		} else {
			r = utf8.RuneError
		}
	}
	return utf8.AppendRune(dst, r), nil
}

// lowSurrogate reports the low surrogate escaped at p.pos, if there is one.
func (p *jsonParser) lowSurrogate() (rune, bool) {
	if p.pos+1 >= len(p.src) || p.src[p.pos] != '\\' || p.src[p.pos+1] != 'u' {
		return 0, false
	}
	r, ok := hex4(p.src, p.pos+2)
	return r, ok && r >= 0xdc00 && r <= 0xdfff
}

// hex4 decodes the four hexadecimal digits at src[i:].
func hex4(src []byte, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range src[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
