package parser

import (
	"fmt"
	"regexp"
	"strings"
)

// CompileRuby compiles a regular expression written for Fluent Bit, whose
// syntax is Ruby's (Onigmo), as Go RE2. Differences handled:
//
//   - /pattern/ delimiters with optional i, m, x flags are stripped (m is
//     Ruby's dot-matches-newline, RE2's s flag);
//   - ^ and $ match at line boundaries, as always in Ruby (RE2 flag m);
//   - \h and \H are hex digits and their complement, \Z is the end or
//     before a final newline;
//   - (?<name>...) named groups are RE2 syntax already.
//
// Lookahead, lookbehind, atomic groups and backreferences have no RE2
// equivalent; the error says so.
func CompileRuby(expr string) (*regexp.Regexp, error) {
	src, flags := stripDelimiters(expr)
	for _, bad := range []struct{ seq, what string }{
		{"(?=", "lookahead"}, {"(?!", "negative lookahead"}, {"(?<=", "lookbehind"},
		{"(?<!", "negative lookbehind"}, {"(?>", "atomic group"},
	} {
		if strings.Contains(src, bad.seq) {
			return nil, fmt.Errorf("%s %q is not supported: Sluice runs regular expressions in linear time (RE2 syntax); rewrite it without it", bad.what, bad.seq)
		}
	}
	var b strings.Builder
	b.WriteString("(?m")
	b.WriteString(flags)
	b.WriteString(")")
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\\' && i+1 < len(src) {
			n := src[i+1]
			i++
			switch {
			case n == 'h' && inClass:
				b.WriteString("0-9a-fA-F")
			case n == 'h':
				b.WriteString("[0-9a-fA-F]")
			case n == 'H' && !inClass:
				b.WriteString("[^0-9a-fA-F]")
			case n == 'Z' && !inClass:
				b.WriteString(`(?:\n?\z)`)
			case n >= '1' && n <= '9' && !inClass:
				return nil, fmt.Errorf("backreference \\%c is not supported: Sluice runs regular expressions in linear time (RE2 syntax)", n)
			case n == 'k' && i+1 < len(src) && src[i+1] == '<':
				return nil, fmt.Errorf("named backreference \\k<...> is not supported: Sluice runs regular expressions in linear time (RE2 syntax)")
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
			continue
		}
		switch {
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			// A ] right after [ or [^ is a literal.
			if i+1 < len(src) && src[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(src) && src[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

// stripDelimiters removes Ruby's /.../flags and returns RE2 flags.
func stripDelimiters(expr string) (string, string) {
	if len(expr) < 2 || expr[0] != '/' {
		return expr, ""
	}
	end := strings.LastIndexByte(expr, '/')
	if end <= 0 {
		return expr, ""
	}
	var flags strings.Builder
	for _, f := range expr[end+1:] {
		switch f {
		case 'i':
			flags.WriteByte('i')
		case 'm':
			flags.WriteByte('s')
		case 'x', 'o', 'u', 'n':
			// x (extended) is rare in parsers files; RE2 lacks it, and
			// the others are encoding flags.
		default:
			return expr, "" // not a flag: the slash belongs to the pattern
		}
	}
	return expr[1:end], flags.String()
}
