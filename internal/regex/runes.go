package regex

import (
	"sync"
	"unicode/utf8"
)

// runeInput is text decoded for the backtracking engine, which works on
// runes: runes[i] starts at byte offs[i] of the original, and
// offs[len(runes)] is its length, so match offsets map back to bytes. An
// invalid UTF-8 byte becomes one U+FFFD rune of its own, so offsets stay
// exact for any input.
type runeInput struct {
	runes []rune
	offs  []int
}

var runePool = sync.Pool{New: func() any { return new(runeInput) }}

// maxPooledRunes keeps buffers for very long lines out of the pool.
const maxPooledRunes = 64 << 10

func getRunes(b []byte) *runeInput {
	in := runePool.Get().(*runeInput)
	in.runes, in.offs = in.runes[:0], in.offs[:0]
	for i := 0; i < len(b); {
		c, size := rune(b[i]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRune(b[i:])
		}
		in.runes = append(in.runes, c)
		in.offs = append(in.offs, i)
		i += size
	}
	in.offs = append(in.offs, len(b))
	return in
}

func putRunes(in *runeInput) {
	if cap(in.runes) > maxPooledRunes {
		return
	}
	runePool.Put(in)
}
