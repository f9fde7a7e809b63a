package parser

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// decoder is one Decode_Field or Decode_Field_As line.
type decoder struct {
	field string
	kind  decodeKind
	// merge is Decode_Field: a decoded map's entries join the record and
	// the field stays as it was. Decode_Field_As replaces the field's value.
	merge  bool
	action decodeAction
}

type decodeKind uint8

const (
	decodeJSON decodeKind = iota
	decodeEscaped
	decodeEscapedUTF8
	decodeMySQLQuoted
)

type decodeAction uint8

const (
	actionStop    decodeAction = iota
	actionTryNext              // try_next: on failure, run the field's next decoder
	actionDoNext               // do_next: on success, run the next decoder on the result
)

// parseDecoder reads "TYPE FIELD [try_next|do_next]".
func parseDecoder(raw string, merge bool) (decoder, error) {
	words := strings.Fields(raw)
	if len(words) < 2 || len(words) > 3 {
		return decoder{}, fmt.Errorf("want TYPE FIELD [try_next|do_next], got %q", raw)
	}
	d := decoder{field: words[1], merge: merge}
	switch strings.ToLower(words[0]) {
	case "json":
		d.kind = decodeJSON
	case "escaped":
		d.kind = decodeEscaped
	case "escaped_utf8":
		d.kind = decodeEscapedUTF8
	case "mysql_quoted":
		d.kind = decodeMySQLQuoted
	default:
		return decoder{}, fmt.Errorf("unknown decoder %q; valid decoders are json, escaped, escaped_utf8, mysql_quoted", words[0])
	}
	if len(words) == 3 {
		switch strings.ToLower(words[2]) {
		case "try_next":
			d.action = actionTryNext
		case "do_next":
			d.action = actionDoNext
		default:
			return decoder{}, fmt.Errorf("unknown decoder action %q; valid actions are try_next, do_next", words[2])
		}
	}
	return d, nil
}

// decodeField runs the decoders of key on the text val and writes the
// field; it reports false when key has no decoder (the caller writes it).
func (p *Parser) decodeField(w *fieldWriter, key, val []byte) bool {
	first := -1
	for i := range p.decoders {
		if p.decoders[i].field == string(key) {
			first = i
			break
		}
	}
	if first < 0 {
		return false
	}
	sp := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(sp)
	cur := val         // current text value
	var decoded []byte // msgpack value when the last decoder produced JSON
	for i := first; i < len(p.decoders); i++ {
		d := &p.decoders[i]
		if d.field != string(key) {
			continue
		}
		out, isMsgpack, ok := d.decode((*sp)[:0], cur)
		if !ok {
			if d.action == actionTryNext {
				continue
			}
			break
		}
		if d.merge {
			if isMsgpack && isMap(out[0]) {
				_ = record.MapEntries(out, func(k, v []byte) bool {
					w.merged = msgp.AppendStringFromBytes(w.merged, k)
					w.merged = append(w.merged, v...)
					w.mergedN++
					return true
				})
			}
			break // the field itself stays as it was
		}
		if isMsgpack {
			decoded = append(decoded[:0], out...)
			break // JSON is a structure: nothing further decodes it
		}
		cur = append([]byte(nil), out...)
		*sp = out[:0]
		if d.action != actionDoNext {
			break
		}
	}
	w.dst = msgp.AppendStringFromBytes(w.dst, key)
	if decoded != nil {
		w.dst = append(w.dst, decoded...)
	} else {
		w.dst = msgp.AppendStringFromBytes(w.dst, cur)
	}
	w.n++
	return true
}

// decode applies one decoder. JSON yields a msgpack map or array; the
// others yield text.
func (d *decoder) decode(dst, val []byte) (out []byte, isMsgpack, ok bool) {
	switch d.kind {
	case decodeJSON:
		t := trimSpace(val)
		if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
			return nil, false, false
		}
		m, err := record.AppendJSONAsMsgpack(dst, t)
		if err != nil {
			return nil, false, false
		}
		return m, true, true
	case decodeEscaped:
		return unescape(dst, val, false), false, true
	case decodeEscapedUTF8:
		return unescape(dst, val, true), false, true
	case decodeMySQLQuoted:
		if len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[len(val)-1] == val[0] {
			return unescape(dst, val[1:len(val)-1], false), false, true
		}
		return append(dst, val...), false, true
	}
	return nil, false, false
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// AppendUnescaped appends s with its backslash escapes resolved, \uXXXX
// included: the escaped_utf8 decoder, and the parser filter's Unescape_Key.
func AppendUnescaped(dst, s []byte) []byte { return unescape(dst, s, true) }

// unescape resolves backslash escapes: \n \t \r \b \f \v \a \" \\ \/ and,
// with utf8 set, \uXXXX (surrogate pairs combined). Unknown escapes keep
// their backslash.
func unescape(dst, s []byte, utf bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			dst = append(dst, c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'v':
			dst = append(dst, '\v')
		case 'a':
			dst = append(dst, '\a')
		case '"', '\\', '/', '\'':
			dst = append(dst, s[i])
		case 'u':
			if r, n := unicodeEscape(s[i+1:]); utf && n > 0 {
				dst = utf8.AppendRune(dst, r)
				i += n
			} else {
				dst = append(dst, '\\', 'u')
			}
		default:
			dst = append(dst, '\\', s[i])
		}
	}
	return dst
}

// unicodeEscape reads the XXXX of \uXXXX (and a following \uXXXX low
// surrogate) and returns the rune and the bytes consumed.
func unicodeEscape(s []byte) (rune, int) {
	r, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if r >= 0xd800 && r < 0xdc00 && len(s) >= 10 && s[4] == '\\' && s[5] == 'u' {
		if lo, ok := hex4(s[6:]); ok && lo >= 0xdc00 && lo < 0xe000 {
			return (r-0xd800)<<10 + (lo - 0xdc00) + 0x10000, 10
		}
	}
	if r >= 0xd800 && r < 0xe000 {
		return utf8.RuneError, 4
	}
	return r, 4
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
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
