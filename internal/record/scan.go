package record

import "encoding/binary"

// Strings dominate log records, and most of their bytes need no escaping in
// JSON, so both converters skip such runs eight bytes at a time. The tests
// are the classic word-at-a-time ones ("Bit Twiddling Hacks", Sean Eron
// Anderson: "determine if a word has a byte less than n"): exact as a yes/no
// answer for the whole word, which is all that is asked of them.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// hasLess reports whether a byte of w is less than n, for n <= 128.
func hasLess(w uint64, n byte) bool { return (w-lowBits*uint64(n))&^w&highBits != 0 }

// hasByte reports whether a byte of w equals c.
func hasByte(w uint64, c byte) bool {
	x := w ^ lowBits*uint64(c)
	return (x-lowBits)&^x&highBits != 0
}

// plainRun returns the length of the longest prefix of s that a JSON string
// holds as it is: no control character, quote or backslash. With asciiOnly
// it also stops at the first byte of 0x80 or above, whose UTF-8 the caller
// must check.
func plainRun(s []byte, asciiOnly bool) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		if hasLess(w, 0x20) || hasByte(w, '"') || hasByte(w, '\\') || asciiOnly && w&highBits != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || asciiOnly && c >= 0x80 {
			break
		}
	}
	return i
}
