package record

import (
	"encoding/binary"
	"fmt"
)

// Errors of skipValue. They are built once: validating a chunk must not
// allocate, and the callers add the context (which record, which part).
var (
	errTruncated   = fmt.Errorf("%w: truncated value", ErrMalformed)
	errInvalidCode = fmt.Errorf("%w: invalid type code 0xc1", ErrMalformed)
	errTooDeep     = fmt.Errorf("%w: nested deeper than %d levels", ErrMalformed, maxDepth)
)

// skipValue returns b without the msgpack value at its start, whose nesting
// level is depth. It checks that the value is complete, uses only defined
// type codes and nests no deeper than maxDepth: the same rules as
// AppendJSON, so a value that passes can always be converted to JSON.
//
// msgp.Skip is not used because it allows 100,000 levels of recursion,
// where AppendJSON stops at maxDepth.
func skipValue(b []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return b, errTooDeep
	}
	if len(b) == 0 {
		return b, errTruncated
	}
	c := b[0]
	if c <= 0x7f || c >= 0xe0 { // positive and negative fixint
		return b[1:], nil
	}
	var size, elems uint64 // bytes of the value itself; nested values after them
	switch {
	case c <= 0x8f: // fixmap
		size, elems = 1, 2*uint64(c&0x0f)
	case c <= 0x9f: // fixarray
		size, elems = 1, uint64(c&0x0f)
	case c <= 0xbf: // fixstr
		size = 1 + uint64(c&0x1f)
	default:
		var ok bool
		if size, elems, ok = sizeOf(b); !ok {
			if c == 0xc1 {
				return b, errInvalidCode
			}
			return b, errTruncated
		}
	}
	if uint64(len(b)) < size {
		return b, errTruncated
	}
	b = b[size:]
	if elems > uint64(len(b)) { // every value takes at least one byte
		return b, errTruncated
	}
	for ; elems > 0; elems-- {
		var err error
		if b, err = skipValue(b, depth+1); err != nil {
			return b, err
		}
	}
	return b, nil
}

// sizeOf decodes the size of a value whose type code is 0xc0 or above and
// not a fixint: its own length in bytes and the number of values nested in
// it. ok is false for 0xc1 or when b is too short to hold a length field.
func sizeOf(b []byte) (size, elems uint64, ok bool) {
	// need reports whether the n-byte length field after the code is present.
	need := func(n int) bool { return len(b) > n }
	switch b[0] {
	case 0xc0, 0xc2, 0xc3: // nil, false, true
		return 1, 0, true
	case 0xcc, 0xd0: // uint8, int8
		return 2, 0, true
	case 0xcd, 0xd1: // uint16, int16
		return 3, 0, true
	case 0xca, 0xce, 0xd2: // float32, uint32, int32
		return 5, 0, true
	case 0xcb, 0xcf, 0xd3: // float64, uint64, int64
		return 9, 0, true
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16: code, type, data
		return 2 + 1<<(b[0]-0xd4), 0, true
	case 0xc4, 0xd9: // bin8, str8
		if !need(1) {
			return 0, 0, false
		}
		return 2 + uint64(b[1]), 0, true
	case 0xc5, 0xda: // bin16, str16
		if !need(2) {
			return 0, 0, false
		}
		return 3 + uint64(binary.BigEndian.Uint16(b[1:])), 0, true
	case 0xc6, 0xdb: // bin32, str32
		if !need(4) {
			return 0, 0, false
		}
		return 5 + uint64(binary.BigEndian.Uint32(b[1:])), 0, true
	case 0xc7: // ext8: code, length, type, data
		if !need(1) {
			return 0, 0, false
		}
		return 3 + uint64(b[1]), 0, true
	case 0xc8: // ext16
		if !need(2) {
			return 0, 0, false
		}
		return 4 + uint64(binary.BigEndian.Uint16(b[1:])), 0, true
	case 0xc9: // ext32
		if !need(4) {
			return 0, 0, false
		}
		return 6 + uint64(binary.BigEndian.Uint32(b[1:])), 0, true
	case 0xdc: // array16
		if !need(2) {
			return 0, 0, false
		}
		return 3, uint64(binary.BigEndian.Uint16(b[1:])), true
	case 0xdd: // array32
		if !need(4) {
			return 0, 0, false
		}
		return 5, uint64(binary.BigEndian.Uint32(b[1:])), true
	case 0xde: // map16
		if !need(2) {
			return 0, 0, false
		}
		return 3, 2 * uint64(binary.BigEndian.Uint16(b[1:])), true
	case 0xdf: // map32
		if !need(4) {
			return 0, 0, false
		}
		return 5, 2 * uint64(binary.BigEndian.Uint32(b[1:])), true
	}
	return 0, 0, false // 0xc1, never used
}
