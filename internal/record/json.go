package record

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/tinylib/msgp/msgp"
)

// maxDepth bounds nesting when converting between msgpack and JSON, so a
// hostile record cannot exhaust the stack.
const maxDepth = 100

// AppendJSON appends the JSON encoding of the msgpack value at the start of
// v to dst and returns the extended buffer and the bytes after the value.
// Binary values are written as strings (Fluent Bit does the same), an
// EventTime as floating-point seconds, NaN and infinities as null, and
// invalid UTF-8 with replacement characters. It allocates nothing beyond
// growing dst.
func AppendJSON(dst, v []byte) ([]byte, []byte, error) {
	return appendJSON(dst, v, 0)
}

func appendJSON(dst, v []byte, depth int) ([]byte, []byte, error) {
	if depth > maxDepth {
		return dst, v, malformed("nested deeper than %d levels", maxDepth)
	}
	var err error
	switch msgp.NextType(v) {
	case msgp.MapType:
		var n uint32
		if n, v, err = msgp.ReadMapHeaderBytes(v); err != nil {
			return dst, v, malformed("map: %v", err)
		}
		dst = append(dst, '{')
		for i := uint32(0); i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, v, err = appendJSONKey(dst, v, depth); err != nil {
				return dst, v, err
			}
			dst = append(dst, ':')
			if dst, v, err = appendJSON(dst, v, depth+1); err != nil {
				return dst, v, err
			}
		}
		return append(dst, '}'), v, nil
	case msgp.ArrayType:
		var n uint32
		if n, v, err = msgp.ReadArrayHeaderBytes(v); err != nil {
			return dst, v, malformed("array: %v", err)
		}
		dst = append(dst, '[')
		for i := uint32(0); i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, v, err = appendJSON(dst, v, depth+1); err != nil {
				return dst, v, err
			}
		}
		return append(dst, ']'), v, nil
	case msgp.StrType:
		var s []byte
		if s, v, err = msgp.ReadStringZC(v); err != nil {
			return dst, v, malformed("string: %v", err)
		}
		return AppendJSONString(dst, s), v, nil
	case msgp.BinType:
		var s []byte
		if s, v, err = msgp.ReadBytesZC(v); err != nil {
			return dst, v, malformed("binary: %v", err)
		}
		return AppendJSONString(dst, s), v, nil
	case msgp.IntType:
		var i int64
		if i, v, err = msgp.ReadInt64Bytes(v); err != nil {
			return dst, v, malformed("int: %v", err)
		}
		return strconv.AppendInt(dst, i, 10), v, nil
	case msgp.UintType:
		var u uint64
		if u, v, err = msgp.ReadUint64Bytes(v); err != nil {
			return dst, v, malformed("uint: %v", err)
		}
		return strconv.AppendUint(dst, u, 10), v, nil
	case msgp.Float32Type, msgp.Float64Type:
		var f float64
		if f, v, err = msgp.ReadFloat64Bytes(v); err != nil {
			return dst, v, malformed("float: %v", err)
		}
		return appendJSONFloat(dst, f), v, nil
	case msgp.BoolType:
		var b bool
		if b, v, err = msgp.ReadBoolBytes(v); err != nil {
			return dst, v, malformed("bool: %v", err)
		}
		return strconv.AppendBool(dst, b), v, nil
	case msgp.NilType:
		return append(dst, "null"...), v[1:], nil
	}
	// Extensions: an EventTime becomes seconds; anything else is skipped as null.
	if t, rest, err := DecodeTime(v); err == nil && len(v) > 0 && (v[0] == 0xd7 || v[0] == 0xc7) {
		return appendJSONFloat(dst, t.Float()), rest, nil
	}
	rest, err := msgp.Skip(v)
	if err != nil {
		return dst, v, malformed("value: %v", err)
	}
	return append(dst, "null"...), rest, nil
}

// appendJSONKey writes a map key as a JSON string; non-string keys are
// rendered as their JSON text inside quotes.
func appendJSONKey(dst, v []byte, depth int) ([]byte, []byte, error) {
	switch msgp.NextType(v) {
	case msgp.StrType, msgp.BinType:
		return appendJSON(dst, v, depth+1)
	}
	start := len(dst)
	dst, rest, err := appendJSON(dst, v, depth+1)
	if err != nil {
		return dst, rest, err
	}
	key := string(dst[start:])
	return AppendJSONString(dst[:start], []byte(key)), rest, nil
}

func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		// Keep a decimal point so the value stays a float for readers.
		return strconv.AppendFloat(dst, f, 'f', 1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a quoted JSON string, escaping control
// characters, quotes and backslashes, and replacing invalid UTF-8.
func AppendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
