package record

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tinylib/msgp/msgp"
)

// AppendJSONAsMsgpack converts one JSON value (surrounding whitespace
// allowed) to msgpack and appends it to dst. Integers that fit int64 become
// msgpack integers, other numbers floats. It returns a descriptive error,
// wrapping ErrMalformed, for anything that is not exactly one JSON value;
// on error the returned slice must be discarded.
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
		return dst, p.errorf("nested deeper than %d levels", maxDepth)
	}
	if p.pos >= len(p.src) {
		return dst, p.errorf("unexpected end of input")
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

// container writes a 5-byte map32/array32 placeholder header, lets fill
// encode the elements, then rewrites the header in its shortest form.
func (p *jsonParser) container(dst []byte, isMap bool, close byte, fill func([]byte) ([]byte, error)) ([]byte, error) {
	p.pos++ // opening bracket
	headerAt := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0)
	n := 0
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == close {
		p.pos++
	} else {
		for {
			var err error
			if dst, err = fill(dst); err != nil {
				return dst, err
			}
			n++
			p.skipSpace()
			if p.pos >= len(p.src) {
				return dst, p.errorf("unexpected end of input, want ',' or %q", close)
			}
			if p.src[p.pos] == close {
				p.pos++
				break
			}
			if p.src[p.pos] != ',' {
				return dst, p.errorf("unexpected %q, want ',' or %q", p.src[p.pos], close)
			}
			p.pos++
			p.skipSpace()
		}
	}
	var hdr []byte
	if isMap {
		hdr = msgp.AppendMapHeader(make([]byte, 0, 5), uint32(n))
	} else {
		hdr = msgp.AppendArrayHeader(make([]byte, 0, 5), uint32(n))
	}
	return shrinkHeader(dst, headerAt, 5, hdr), nil
}

// shrinkHeader replaces the width-byte placeholder at at with hdr.
func shrinkHeader(dst []byte, at, width int, hdr []byte) []byte {
	copy(dst[at:], hdr)
	if len(hdr) < width {
		copy(dst[at+len(hdr):], dst[at+width:])
		dst = dst[:len(dst)-(width-len(hdr))]
	}
	return dst
}

func (p *jsonParser) object(dst []byte, depth int) ([]byte, error) {
	return p.container(dst, true, '}', func(dst []byte) ([]byte, error) {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return dst, p.errorf("object key must be a string")
		}
		dst, err := p.str(dst)
		if err != nil {
			return dst, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return dst, p.errorf("want ':' after object key")
		}
		p.pos++
		p.skipSpace()
		return p.value(dst, depth+1)
	})
}

func (p *jsonParser) array(dst []byte, depth int) ([]byte, error) {
	return p.container(dst, false, ']', func(dst []byte) ([]byte, error) {
		return p.value(dst, depth+1)
	})
}

func (p *jsonParser) number(dst []byte) ([]byte, error) {
	start := p.pos
	isFloat := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '.' || c == 'e' || c == 'E' {
			isFloat = true
		} else if !(c >= '0' && c <= '9' || c == '-' || c == '+') {
			break
		}
		p.pos++
	}
	text := string(p.src[start:p.pos])
	if !isFloat {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return msgp.AppendInt64(dst, i), nil
		}
		if u, err := strconv.ParseUint(text, 10, 64); err == nil {
			return msgp.AppendUint64(dst, u), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		p.pos = start
		return dst, p.errorf("invalid number %s", text)
	}
	return msgp.AppendFloat64(dst, f), nil
}

// str converts a JSON string to a msgpack string. Strings without escapes
// are copied in one step; others are unescaped after a str32 placeholder
// header that is then shortened.
func (p *jsonParser) str(dst []byte) ([]byte, error) {
	p.pos++ // opening quote
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '"' {
			dst = msgp.AppendStringFromBytes(dst, p.src[start:p.pos])
			p.pos++
			return dst, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return dst, p.errorf("control character in string")
		}
		p.pos++
	}
	headerAt := len(dst)
	dst = append(dst, 0xdb, 0, 0, 0, 0)
	dst = append(dst, p.src[start:p.pos]...)
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			n := len(dst) - headerAt - 5
			var hdr []byte
			switch {
			case n < 32:
				hdr = []byte{0xa0 | byte(n)}
			case n < 256:
				hdr = []byte{0xd9, byte(n)}
			case n < 65536:
				hdr = binary.BigEndian.AppendUint16([]byte{0xda}, uint16(n))
			default:
				hdr = binary.BigEndian.AppendUint32([]byte{0xdb}, uint32(n))
			}
			return shrinkHeader(dst, headerAt, 5, hdr), nil
		case c == '\\':
			var err error
			if dst, err = p.escape(dst); err != nil {
				return dst, err
			}
		case c < 0x20:
			return dst, p.errorf("control character in string")
		default:
			dst = append(dst, c)
			p.pos++
		}
	}
	return dst, p.errorf("unterminated string")
}

func (p *jsonParser) escape(dst []byte) ([]byte, error) {
	if p.pos+1 >= len(p.src) {
		return dst, p.errorf("unterminated escape")
	}
	c := p.src[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return append(dst, c), nil
	case 'b':
		return append(dst, '\b'), nil
	case 'f':
		return append(dst, '\f'), nil
	case 'n':
		return append(dst, '\n'), nil
	case 'r':
		return append(dst, '\r'), nil
	case 't':
		return append(dst, '\t'), nil
	case 'u':
		r, ok := p.hex4()
		if !ok {
			return dst, p.errorf("invalid \\u escape")
		}
		if utf16.IsSurrogate(r) {
			r2 := utf8.RuneError
			if p.pos+1 < len(p.src) && p.src[p.pos] == '\\' && p.src[p.pos+1] == 'u' {
				p.pos += 2
				if low, ok := p.hex4(); ok {
					r2 = low
				}
			}
			r = utf16.DecodeRune(r, r2)
		}
		return utf8.AppendRune(dst, r), nil
	}
	return dst, p.errorf("invalid escape \\%c", c)
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.src[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(v), true
}
