package parser

import "github.com/tinylib/msgp/msgp"

// mapStart reserves room for a map32 header at the end of dst; mapEnd
// writes the real header once the entry count is known and shrinks the gap,
// so the map is encoded canonically (a fixmap for up to 15 entries).
func mapStart(dst []byte) ([]byte, int) {
	at := len(dst)
	return append(dst, 0xdf, 0, 0, 0, 0), at
}

func mapEnd(dst []byte, at, n int) []byte {
	var hdr [5]byte
	h := msgp.AppendMapHeader(hdr[:0], uint32(n))
	if gap := 5 - len(h); gap > 0 {
		copy(dst[at+len(h):], dst[at+5:])
		dst = dst[:len(dst)-gap]
	}
	copy(dst[at:], h)
	return dst
}
