package record

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/tinylib/msgp/msgp"
)

// maxDepth bounds nesting when validating and converting msgpack and JSON,
// so a hostile record cannot exhaust the stack: the outermost value is level
// 0 and a value may sit at level maxDepth. Real log records rarely nest more
// than a handful of levels.
const maxDepth = 100

// AppendJSON appends the JSON encoding of the msgpack value at the start of
// v to dst and returns the extended buffer and the bytes after the value.
// The output is always valid JSON (RFC 8259):
//   - binary values are written as strings, as Fluent Bit does;
//   - an EventTime is written as floating-point seconds, other extension
//     types as null;
//   - floats follow Fluent Bit's layout, 3.0 for integral values and
//     otherwise the shortest digits that read back as the same float;
//     NaN and infinities become null;
//   - invalid UTF-8 is replaced by U+FFFD, byte by byte, like encoding/json;
//   - a map key that is not a string becomes a string holding its JSON
//     text ({1:"a"} is written {"1":"a"}); duplicate keys are kept.
//
// It accepts exactly the values DecodeEvent validates (nested at most 100
// levels deep), so it cannot fail on the Body or Meta of a decoded Event. It
// allocates nothing beyond growing dst. On error, which wraps ErrMalformed,
// dst may end with part of a value: cut it back to its original length.
func AppendJSON(dst, v []byte) ([]byte, []byte, error) {
	return appendJSON(dst, v, 0, false)
}

// appendJSON writes the value at the start of v, at nesting level depth.
// inKey is set while writing the text of a non-string map key, which the
// outermost such key escapes as a whole (see appendJSONKey).
func appendJSON(dst, v []byte, depth int, inKey bool) ([]byte, []byte, error) {
	if depth > maxDepth {
		return dst, v, errTooDeep
	}
	// Short strings are most of a log record: skip the generic dispatch.
	if len(v) > 0 && v[0]&0xe0 == 0xa0 {
		if n := int(v[0] & 0x1f); len(v) > n {
			return AppendJSONString(dst, v[1:1+n]), v[1+n:], nil
		}
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
			if dst, v, err = appendJSONKey(dst, v, depth+1, inKey); err != nil {
				return dst, v, err
			}
			dst = append(dst, ':')
			if dst, v, err = appendJSON(dst, v, depth+1, inKey); err != nil {
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
			if dst, v, err = appendJSON(dst, v, depth+1, inKey); err != nil {
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
	case msgp.Float32Type:
		var f float32
		if f, v, err = msgp.ReadFloat32Bytes(v); err != nil {
			return dst, v, malformed("float: %v", err)
		}
		return appendJSONFloat(dst, float64(f), 32), v, nil
	case msgp.Float64Type:
		var f float64
		if f, v, err = msgp.ReadFloat64Bytes(v); err != nil {
			return dst, v, malformed("float: %v", err)
		}
		return appendJSONFloat(dst, f, 64), v, nil
	case msgp.BoolType:
		var b bool
		if b, v, err = msgp.ReadBoolBytes(v); err != nil {
			return dst, v, malformed("bool: %v", err)
		}
		return strconv.AppendBool(dst, b), v, nil
	case msgp.NilType:
		return append(dst, "null"...), v[1:], nil
	}
	// Extensions: an EventTime becomes seconds; any other is written as null.
	if isEventTime(v) {
		t, rest, err := DecodeTime(v)
		if err != nil {
			return dst, v, err
		}
		return appendJSONFloat(dst, t.Float(), 64), rest, nil
	}
	rest, err := skipValue(v, depth)
	if err != nil {
		return dst, v, err
	}
	return append(dst, "null"...), rest, nil
}

// isEventTime reports whether v starts with a complete EventTime extension.
func isEventTime(v []byte) bool {
	return len(v) >= 10 && v[0] == 0xd7 && v[1] == eventTimeExtType ||
		len(v) >= 11 && v[0] == 0xc7 && v[1] == 8 && v[2] == eventTimeExtType
}

// appendJSONKey writes a map key, at nesting level depth, as a JSON string.
// A key of another type is written as a string holding its JSON text:
// {1:"a"} becomes {"1":"a"}.
//
// Only the outermost such key escapes its text. Keys nested inside it are
// just put in quotes, because escaping at every level would double the
// backslashes per level: 20 levels of maps used as keys of maps would turn
// 41 bytes of msgpack into 2 MB of JSON (found by FuzzDecodeEvent).
func appendJSONKey(dst, v []byte, depth int, inKey bool) ([]byte, []byte, error) {
	switch msgp.NextType(v) {
	case msgp.StrType, msgp.BinType:
		return appendJSON(dst, v, depth, inKey)
	}
	if inKey {
		dst = append(dst, '"')
		dst, rest, err := appendJSON(dst, v, depth, true)
		if err != nil {
			return dst, rest, err
		}
		return append(dst, '"'), rest, nil
	}
	start := len(dst)
	dst, rest, err := appendJSON(dst, v, depth, true)
	if err != nil {
		return dst, rest, err
	}
	// Quote the text after itself, then move it into place. Appending never
	// overwrites the text it reads, even when dst is reallocated.
	end := len(dst)
	dst = AppendJSONString(dst, dst[start:end])
	n := copy(dst[start:], dst[end:])
	return dst[:start+n], rest, nil
}

// appendJSONFloat writes f, a float of bitSize bits, as a JSON number.
//
// Fluent Bit (flb_pack.c, msgpack2json) prints floats with "%.1f" when
// they hold an integer that fits a long long and "%.16g" otherwise. Sluice
// follows that layout: integers keep a ".0" so readers still see a float,
// and other values use plain decimals unless smaller than 1e-4 or beyond the
// int64 range, where %g also switches to an exponent ("1e-05", "1e+20").
// It differs on purpose in two ways:
//   - digits are the shortest that read back as the same float, not 16
//     significant ones: 0.30000000000000004 stays distinct from 0.3 (Fluent
//     Bit prints "0.3"), and a float32 0.1 prints as 0.1 rather than
//     0.1000000014901161;
//   - NaN and infinities are written as null, as Fluent Bit does only with
//     its convert_nan_to_null option; otherwise it prints nan and inf, which
//     are not JSON.
func appendJSONFloat(dst []byte, f float64, bitSize int) []byte {
	abs := math.Abs(f)
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return append(dst, "null"...)
	case f == math.Trunc(f) && abs < 1<<63:
		return strconv.AppendFloat(dst, f, 'f', 1, bitSize)
	case abs < 1e-4 || abs >= 1<<63:
		return strconv.AppendFloat(dst, f, 'e', -1, bitSize)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, bitSize)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a quoted JSON string, escaping control
// characters, quotes and backslashes, and replacing each byte of invalid
// UTF-8 with U+FFFD as encoding/json does. The result is always valid JSON.
func AppendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		n := plainRun(s, true)
		dst = append(dst, s[:n]...)
		if s = s[n:]; len(s) == 0 {
			break
		}
		c := s[0]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s)
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, "\ufffd"...)
			} else {
				dst = append(dst, s[:size]...)
			}
			s = s[size:]
			continue
		}
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
		s = s[1:]
	}
	return append(dst, '"')
}
