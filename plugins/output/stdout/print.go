package stdout

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"

	"github.com/tinylib/msgp/msgp"
)

// maxPrintDepth bounds nesting like record's own decoders do, so a hostile
// value cannot exhaust the stack.
const maxPrintDepth = 100

var (
	errPrintTruncated = errors.New("print msgpack: truncated or invalid value")
	errPrintTooDeep   = errors.New("print msgpack: nested deeper than 100 levels")
)

// AppendPrinted appends the msgpack value at the start of v in the text form
// of msgpack-c's msgpack_object_print, which Fluent Bit uses for stdout's
// msgpack format and for the csv, ltsv and template formats of out_file, and
// returns the extended buffer and the bytes after the value:
//
//	{"message"=>"dummy", "n"=>1, "f"=>0.500000, "a"=>[1, nil, true]}
//
// Strings are written between double quotes as they are, without escaping;
// binary and extension data escape quotes and non-printable bytes as \xNN;
// an extension is prefixed with "(ext: TYPE)"; floats use C's "%f" (six
// decimals, nan, inf). It allocates nothing beyond growing dst.
//
// It lives here because stdout is its first user; package file uses it too.
// It belongs in package record once that package takes text renderers.
func AppendPrinted(dst, v []byte) ([]byte, []byte, error) {
	return appendPrinted(dst, v, 0)
}

func appendPrinted(dst, v []byte, depth int) ([]byte, []byte, error) {
	if depth > maxPrintDepth {
		return dst, v, errPrintTooDeep
	}
	if len(v) == 0 {
		return dst, v, errPrintTruncated
	}
	if isExt(v[0]) {
		return appendPrintedExt(dst, v)
	}
	var err error
	switch msgp.NextType(v) {
	case msgp.MapType:
		var n uint32
		if n, v, err = msgp.ReadMapHeaderBytes(v); err != nil {
			return dst, v, errPrintTruncated
		}
		dst = append(dst, '{')
		for i := uint32(0); i < n; i++ {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if dst, v, err = appendPrinted(dst, v, depth+1); err != nil {
				return dst, v, err
			}
			dst = append(dst, "=>"...)
			if dst, v, err = appendPrinted(dst, v, depth+1); err != nil {
				return dst, v, err
			}
		}
		return append(dst, '}'), v, nil
	case msgp.ArrayType:
		var n uint32
		if n, v, err = msgp.ReadArrayHeaderBytes(v); err != nil {
			return dst, v, errPrintTruncated
		}
		dst = append(dst, '[')
		for i := uint32(0); i < n; i++ {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if dst, v, err = appendPrinted(dst, v, depth+1); err != nil {
				return dst, v, err
			}
		}
		return append(dst, ']'), v, nil
	case msgp.StrType:
		var s []byte
		if s, v, err = msgp.ReadStringZC(v); err != nil {
			return dst, v, errPrintTruncated
		}
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"'), v, nil
	case msgp.BinType:
		var s []byte
		if s, v, err = msgp.ReadBytesZC(v); err != nil {
			return dst, v, errPrintTruncated
		}
		dst = append(dst, '"')
		dst = appendEscapedBinary(dst, s)
		return append(dst, '"'), v, nil
	case msgp.IntType:
		var i int64
		if i, v, err = msgp.ReadInt64Bytes(v); err != nil {
			return dst, v, errPrintTruncated
		}
		return strconv.AppendInt(dst, i, 10), v, nil
	case msgp.UintType:
		var u uint64
		if u, v, err = msgp.ReadUint64Bytes(v); err != nil {
			return dst, v, errPrintTruncated
		}
		return strconv.AppendUint(dst, u, 10), v, nil
	case msgp.Float32Type:
		var f float32
		if f, v, err = msgp.ReadFloat32Bytes(v); err != nil {
			return dst, v, errPrintTruncated
		}
		return AppendCFloat(dst, float64(f)), v, nil
	case msgp.Float64Type:
		var f float64
		if f, v, err = msgp.ReadFloat64Bytes(v); err != nil {
			return dst, v, errPrintTruncated
		}
		return AppendCFloat(dst, f), v, nil
	case msgp.BoolType:
		var b bool
		if b, v, err = msgp.ReadBoolBytes(v); err != nil {
			return dst, v, errPrintTruncated
		}
		return strconv.AppendBool(dst, b), v, nil
	case msgp.NilType:
		return append(dst, "nil"...), v[1:], nil
	}
	return dst, v, errPrintTruncated // 0xc1, the one undefined code
}

// isExt reports whether c is the code of a msgpack extension (fixext 1 to
// 16, ext 8, 16, 32).
func isExt(c byte) bool { return c >= 0xd4 && c <= 0xd8 || c >= 0xc7 && c <= 0xc9 }

// appendPrintedExt prints an extension as msgpack-c does: (ext: TYPE)"DATA".
func appendPrintedExt(dst, v []byte) ([]byte, []byte, error) {
	var size, head int
	switch c := v[0]; {
	case c >= 0xd4 && c <= 0xd8: // fixext: code, type, data
		size, head = 1<<(c-0xd4), 1
	case c == 0xc7 && len(v) >= 2:
		size, head = int(v[1]), 2
	case c == 0xc8 && len(v) >= 3:
		size, head = int(binary.BigEndian.Uint16(v[1:])), 3
	case c == 0xc9 && len(v) >= 5:
		size, head = int(binary.BigEndian.Uint32(v[1:])), 5
	default:
		return dst, v, errPrintTruncated
	}
	if len(v) < head+1+size || size < 0 {
		return dst, v, errPrintTruncated
	}
	typ := int8(v[head])
	data := v[head+1 : head+1+size]
	dst = append(dst, "(ext: "...)
	dst = strconv.AppendInt(dst, int64(typ), 10)
	dst = append(dst, ")\""...)
	dst = appendEscapedBinary(dst, data)
	return append(dst, '"'), v[head+1+size:], nil
}

// appendEscapedBinary writes b as msgpack-c's msgpack_object_bin_print does:
// a quote as \", printable ASCII as is, anything else as \xNN.
func appendEscapedBinary(dst, b []byte) []byte {
	const hex = "0123456789abcdef"
	for _, c := range b {
		switch {
		case c == '"':
			dst = append(dst, '\\', '"')
		case c >= 0x20 && c < 0x7f:
			dst = append(dst, c)
		default:
			dst = append(dst, '\\', 'x', hex[c>>4], hex[c&0xf])
		}
	}
	return dst
}

// AppendCFloat writes f as C's printf "%f" does: six decimals, and nan, inf
// or -inf where Go would write NaN or ±Inf.
func AppendCFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'f', 6, 64)
}
