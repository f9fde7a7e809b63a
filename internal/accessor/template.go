package accessor

import (
	"strings"
)

// Template is a string with embedded variables, rendered per record:
//
//	$TAG        the record's tag
//	$TAG[n]     the n-th dot-separated part of the tag, from 0
//	$0 … $9     a regular-expression capture, where the caller has one (rewrite_tag)
//	$key['a']   a record accessor (see Path)
//
// Everything else is literal text. A '$' that starts none of these is literal.
type Template struct {
	source string
	parts  []part
	vars   int
}

type partKind uint8

const (
	partLiteral partKind = iota
	partTag
	partTagPart
	partCapture
	partPath
)

type part struct {
	kind    partKind
	literal string
	n       int // tag part or capture number
	path    *Path
}

// ParseTemplate compiles s. It fails only on a malformed record accessor.
func ParseTemplate(s string) (*Template, error) {
	t := &Template{source: s}
	lit := 0 // start of the pending literal
	flush := func(end int) {
		if end > lit {
			t.parts = append(t.parts, part{kind: partLiteral, literal: s[lit:end]})
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 >= len(s) || !isNameByte(s[i+1]) {
			i++
			continue
		}
		flush(i)
		// $TAG and $0 … $9 end at the first byte that cannot continue an
		// identifier, so "$TAG-x" is the tag and a literal; a record key
		// may contain '-' (see the package doc).
		name := i + 1
		end := name
		for end < len(s) && isIdentByte(s[end]) {
			end++
		}
		switch word := s[name:end]; {
		case word == "TAG":
			p := part{kind: partTag}
			if end < len(s) && s[end] == '[' {
				seg, next, err := parseSubscript(s, end)
				if err != nil || !seg.IsIndex {
					return nil, &SyntaxError{s, end + 1, "$TAG takes a numeric index: $TAG[0]"}
				}
				p, end = part{kind: partTagPart, n: seg.Index}, next
			}
			t.parts = append(t.parts, p)
		case len(word) == 1 && word[0] >= '0' && word[0] <= '9':
			t.parts = append(t.parts, part{kind: partCapture, n: int(word[0] - '0')})
		default:
			p, next, err := parsePath(s, i)
			if err != nil {
				return nil, err
			}
			t.parts = append(t.parts, part{kind: partPath, path: p})
			end = next
		}
		t.vars++
		i, lit = end, end
	}
	flush(len(s))
	return t, nil
}

// String returns the template as written.
func (t *Template) String() string { return t.source }

// IsStatic reports whether the template has no variables.
func (t *Template) IsStatic() bool { return t.vars == 0 }

// Pattern returns the template with every variable replaced by wild, such
// as "*": the set of names it can render, for IAM resource patterns.
func (t *Template) Pattern(wild string) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.kind == partLiteral {
			b.WriteString(p.literal)
		} else {
			b.WriteString(wild)
		}
	}
	return b.String()
}

// Paths returns the record accessors the template reads.
func (t *Template) Paths() []*Path {
	var paths []*Path
	for _, p := range t.parts {
		if p.kind == partPath {
			paths = append(paths, p.path)
		}
	}
	return paths
}

// Render appends the template rendered for a record with tag and msgpack
// map body to dst. ok is false when a variable has no value (a missing key,
// a null, a tag part out of range, a capture): the caller then falls back
// as its plugin documents, typically to a static name.
func (t *Template) Render(dst []byte, tag string, body []byte) (out []byte, ok bool) {
	return t.RenderCaptures(dst, tag, body, nil)
}

// RenderCaptures is Render with the submatches of a regular expression for
// $0 … $9 (captures[n] is the n-th submatch, as regexp's FindSubmatch gives).
func (t *Template) RenderCaptures(dst []byte, tag string, body []byte, captures [][]byte) (out []byte, ok bool) {
	ok = true
	for _, p := range t.parts {
		switch p.kind {
		case partLiteral:
			dst = append(dst, p.literal...)
		case partTag:
			dst = append(dst, tag...)
		case partTagPart:
			s, found := tagPart(tag, p.n)
			ok = ok && found
			dst = append(dst, s...)
		case partCapture:
			if p.n < len(captures) && captures[p.n] != nil {
				dst = append(dst, captures[p.n]...)
			} else {
				ok = false
			}
		case partPath:
			v, found := p.path.Get(body)
			if found {
				dst, found = AppendText(dst, v)
			}
			ok = ok && found
		}
	}
	return dst, ok
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// tagPart returns the n-th dot-separated part of tag.
func tagPart(tag string, n int) (string, bool) {
	for ; n > 0; n-- {
		i := strings.IndexByte(tag, '.')
		if i < 0 {
			return "", false
		}
		tag = tag[i+1:]
	}
	if i := strings.IndexByte(tag, '.'); i >= 0 {
		tag = tag[:i]
	}
	return tag, true
}
