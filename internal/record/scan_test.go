package record

import (
	"math/rand/v2"
	"testing"
)

// naivePlainRun is plainRun one byte at a time, the reference for the
// word-at-a-time version.
func naivePlainRun(s []byte, asciiOnly bool) int {
	for i, c := range s {
		if c < 0x20 || c == '"' || c == '\\' || asciiOnly && c >= 0x80 {
			return i
		}
	}
	return len(s)
}

func TestPlainRun(t *testing.T) {
	tests := []struct {
		s         string
		ascii     int
		withHigh  int
		reference string
	}{
		{"", 0, 0, ""},
		{"plain text", 10, 10, ""},
		{"0123456789abcdef0123456789", 26, 26, "longer than three words"},
		{"01234567\"9", 8, 8, "quote right after a word"},
		{"0123456\\89", 7, 7, "backslash at the end of a word"},
		{"0123456789ab\ncd", 12, 12, ""},
		{"\x00abc", 0, 0, ""},
		{"abcdefg\x1f", 7, 7, ""},
		{"abcdefgh\x20", 9, 9, "space is plain"},
		{"abcdefgh\x7f", 9, 9, "DEL is plain"},
		{"abcdefghé", 8, 10, ""},
		{"é0123456789", 0, 12, ""},
	}
	for _, tt := range tests {
		if got := plainRun([]byte(tt.s), true); got != tt.ascii {
			t.Errorf("plainRun(%q, ascii) = %d, want %d", tt.s, got, tt.ascii)
		}
		if got := plainRun([]byte(tt.s), false); got != tt.withHigh {
			t.Errorf("plainRun(%q) = %d, want %d", tt.s, got, tt.withHigh)
		}
	}
	// Every byte value at every position of a word, then random strings.
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 17; pos++ {
			s := []byte("abcdefghijklmnopq")
			s[pos] = byte(c)
			for _, ascii := range []bool{true, false} {
				if got, want := plainRun(s, ascii), naivePlainRun(s, ascii); got != want {
					t.Fatalf("plainRun(%q, %v) = %d, want %d", s, ascii, got, want)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		s := make([]byte, r.IntN(40))
		for j := range s {
			s[j] = byte(0x20 + r.IntN(0x60))
			if r.IntN(30) == 0 {
				s[j] = byte(r.IntN(256))
			}
		}
		for _, ascii := range []bool{true, false} {
			if got, want := plainRun(s, ascii), naivePlainRun(s, ascii); got != want {
				t.Fatalf("plainRun(%q, %v) = %d, want %d", s, ascii, got, want)
			}
		}
	}
}
