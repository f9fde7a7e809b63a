package forwardproto

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// maxDepth is the deepest nesting a message may have: the limit of package
// record, so that framing never accepts what record would refuse.
const maxDepth = 100

// ErrNeedMore is returned by ScanValue when the value continues past the
// bytes given: not a failure, a request to read more.
var ErrNeedMore = errors.New("need more data")

// Framing errors of malformed values.
var (
	errInvalidCode = errors.New("invalid msgpack type code 0xc1")
	errTooDeep     = fmt.Errorf("msgpack value nested deeper than %d levels", maxDepth)
)

// TooLargeError reports a message that cannot fit in the size limit.
type TooLargeError struct {
	// Declared is how many bytes the message needs at least, as far as
	// its headers tell.
	Declared uint64
	// Limit is the limit it exceeds.
	Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("message needs at least %d bytes, over the limit of %d (Buffer_Max_Size)", e.Declared, e.Limit)
}

// ScanValue returns the length of the complete msgpack value at the start
// of b, or ErrNeedMore when b ends inside it. It never trusts a length
// from the wire: a declared string, binary or container size that could
// not fit in limit bytes fails at once with a *TooLargeError, before any
// byte of it is read, and nothing is allocated. It walks iteratively, with
// a fixed stack of maxDepth levels.
func ScanValue(b []byte, limit int) (int, error) {
	var remaining [maxDepth + 1]uint64 // values still to read at each open level
	depth, pos := 0, 0
	remaining[0] = 1
	for {
		for remaining[depth] == 0 {
			if depth == 0 {
				return pos, nil
			}
			depth--
		}
		remaining[depth]--
		if pos >= len(b) {
			return 0, ErrNeedMore
		}
		size, elems, err := header(b[pos:])
		if err != nil {
			return 0, err
		}
		end := uint64(pos) + size
		if end > uint64(limit) || elems > uint64(limit)-min(end, uint64(limit)) { // each element takes a byte
			return 0, &TooLargeError{Declared: end + elems, Limit: limit}
		}
		if end > uint64(len(b)) {
			return 0, ErrNeedMore
		}
		pos = int(end)
		if elems > 0 {
			if depth == maxDepth {
				return 0, errTooDeep
			}
			depth++
			remaining[depth] = elems
		}
	}
}

// header decodes the msgpack type code at the start of b (non-empty): the
// size of the value itself in bytes (for a container, its header) and the
// number of values nested in it. It returns ErrNeedMore when b ends inside
// a length field.
func header(b []byte) (size, elems uint64, err error) {
	c := b[0]
	switch {
	case c <= 0x7f || c >= 0xe0: // positive and negative fixint
		return 1, 0, nil
	case c <= 0x8f: // fixmap
		return 1, 2 * uint64(c&0x0f), nil
	case c <= 0x9f: // fixarray
		return 1, uint64(c & 0x0f), nil
	case c <= 0xbf: // fixstr
		return 1 + uint64(c&0x1f), 0, nil
	}
	length := func(n int) (uint64, bool) {
		if len(b) < 1+n {
			return 0, false
		}
		switch n {
		case 1:
			return uint64(b[1]), true
		case 2:
			return uint64(binary.BigEndian.Uint16(b[1:])), true
		}
		return uint64(binary.BigEndian.Uint32(b[1:])), true
	}
	var n int
	switch c {
	case 0xc0, 0xc2, 0xc3: // nil, false, true
		return 1, 0, nil
	case 0xc1:
		return 0, 0, errInvalidCode
	case 0xcc, 0xd0:
		return 2, 0, nil
	case 0xcd, 0xd1:
		return 3, 0, nil
	case 0xca, 0xce, 0xd2:
		return 5, 0, nil
	case 0xcb, 0xcf, 0xd3:
		return 9, 0, nil
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext: code, type, 1 to 16 bytes
		return 2 + 1<<(c-0xd4), 0, nil
	case 0xc4, 0xd9, 0xc7: // bin8, str8, ext8
		n = 1
	case 0xc5, 0xda, 0xc8, 0xdc, 0xde: // bin16, str16, ext16, array16, map16
		n = 2
	case 0xc6, 0xdb, 0xc9, 0xdd, 0xdf: // bin32, str32, ext32, array32, map32
		n = 4
	}
	l, ok := length(n)
	if !ok {
		return 0, 0, ErrNeedMore
	}
	hdr := 1 + uint64(n)
	switch c {
	case 0xc7, 0xc8, 0xc9: // ext: the type byte follows the length
		return hdr + 1 + l, 0, nil
	case 0xdc, 0xdd:
		return hdr, l, nil
	case 0xde, 0xdf:
		return hdr, 2 * l, nil
	}
	return hdr + l, 0, nil
}
