package s3

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/awsrecord"
)

// keyFormat is a compiled s3_key_format: literal text with strftime
// conversions, and the variables $TAG, $TAG[n], $INDEX and $UUID.
type keyFormat struct {
	parts      []keyPart
	delimiters string
	hasUUID    bool
}

type keyPartKind uint8

const (
	keyText keyPartKind = iota
	keyTag
	keyTagPart
	keyIndex
	keyUUID
)

type keyPart struct {
	kind keyPartKind
	text *awsrecord.Strftime
	n    int
}

// parseKeyFormat compiles format; delimiters are the characters that split
// the tag for $TAG[n]. Every string is a valid format: text that only
// looks like a variable ("$TAGS", "$TAG[x]") is kept as written.
func parseKeyFormat(format, delimiters string) *keyFormat {
	k := &keyFormat{delimiters: delimiters}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			k.parts = append(k.parts, keyPart{kind: keyText, text: awsrecord.CompileStrftime(lit.String())})
			lit.Reset()
		}
	}
	for i := 0; i < len(format); {
		rest := format[i:]
		switch {
		case strings.HasPrefix(rest, "$TAG["):
			end := strings.IndexByte(rest, ']')
			n, err := strconv.Atoi(rest[len("$TAG["):max(end, len("$TAG["))])
			if end < 0 || err != nil || n < 0 {
				lit.WriteByte(format[i])
				i++
				continue
			}
			flush()
			k.parts = append(k.parts, keyPart{kind: keyTagPart, n: n})
			i += end + 1
		case strings.HasPrefix(rest, "$TAG"):
			flush()
			k.parts = append(k.parts, keyPart{kind: keyTag})
			i += len("$TAG")
		case strings.HasPrefix(rest, "$INDEX"):
			flush()
			k.parts = append(k.parts, keyPart{kind: keyIndex})
			i += len("$INDEX")
		case strings.HasPrefix(rest, "$UUID"):
			flush()
			k.parts = append(k.parts, keyPart{kind: keyUUID})
			k.hasUUID = true
			i += len("$UUID")
		default:
			lit.WriteByte(format[i])
			i++
		}
	}
	flush()
	return k
}

// render returns the object key for a file of tag whose first record is
// at t, with index as $INDEX. The leading slash of Fluent Bit's keys
// ("/fluent-bit-logs/...") is the URL path separator, not part of the key.
func (k *keyFormat) render(tag string, t time.Time, index uint64) string {
	var b []byte
	for _, p := range k.parts {
		switch p.kind {
		case keyText:
			b = p.text.Append(b, t)
		case keyTag:
			b = append(b, tag...)
		case keyTagPart:
			b = append(b, k.tagPart(tag, p.n)...)
		case keyIndex:
			b = strconv.AppendUint(b, index, 10)
		case keyUUID:
			b = append(b, randomID()...)
		}
	}
	return strings.TrimLeft(string(b), "/")
}

// tagPart is part n of tag split on any of the delimiters ("" when there
// are fewer parts).
func (k *keyFormat) tagPart(tag string, n int) string {
	parts := strings.FieldsFunc(tag, func(r rune) bool { return strings.ContainsRune(k.delimiters, r) })
	if n < len(parts) {
		return parts[n]
	}
	return ""
}

// randomID is Fluent Bit's $UUID: eight random letters and digits.
func randomID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [8]byte
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b[:])
}
