package parser

import (
	"fmt"
	"regexp"
	"strings"
)

// CompileRuby compiles a regular expression written for Fluent Bit, whose
// syntax is Ruby's (Onigmo), as Go RE2. Differences handled:
//
//   - /pattern/ delimiters are stripped, as Fluent Bit strips them (use
//     (?i) inside the pattern for case-insensitive matching);
//   - ^ and $ match at line boundaries, as always in Ruby (RE2 flag m);
//   - \h and \H are hex digits and their complement, \Z is the end or
//     before a final newline;
//   - (?<name>...) named groups are RE2 syntax already.
//
// Lookahead, lookbehind, atomic groups and backreferences have no RE2
// equivalent; the error says so.
func CompileRuby(expr string) (*regexp.Regexp, error) {
	src := stripDelimiters(expr)
	for _, bad := range []struct{ seq, what string }{
		{"(?=", "lookahead"}, {"(?!", "negative lookahead"}, {"(?<=", "lookbehind"},
		{"(?<!", "negative lookbehind"}, {"(?>", "atomic group"},
	} {
		if strings.Contains(src, bad.seq) {
			return nil, fmt.Errorf("%s %q is not supported: Sluice runs regular expressions in linear time (RE2 syntax); rewrite it without it", bad.what, bad.seq)
		}
	}
	var b strings.Builder
	b.WriteString("(?m)")
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

// stripDelimiters removes Ruby's /.../ delimiters, as Fluent Bit does
// when a pattern both starts and ends with a slash (flb_regex_create);
// trailing flags are not read, so /var/log/m stays a pattern of its own.
func stripDelimiters(expr string) string {
	if len(expr) >= 2 && expr[0] == '/' && expr[len(expr)-1] == '/' {
		return expr[1 : len(expr)-1]
	}
	return expr
}
