package regex

import "strings"

// translate rewrites a Fluent Bit (Ruby, Onigmo) pattern into the syntax
// both engines read the same way:
//
//   - /pattern/ delimiters are stripped, as Fluent Bit strips them (use
//     (?i) inside the pattern for case-insensitive matching);
//   - ^ and $ match at line boundaries, as always in Ruby (flag m of RE2
//     and of regexp2's .NET syntax);
//   - \h and \H are hex digits and their complement (Ruby), \Z is the end
//     or before a final newline, \R a line break;
//   - a ] right after [ or [^ is a literal, as in Ruby.
//
// Everything else is passed through: (?<name>...) groups, look-around,
// backreferences, atomic groups and possessive quantifiers are the same
// in Ruby and in regexp2, and RE2 refuses the ones it lacks.
func translate(expr string) string {
	src := stripDelimiters(expr)
	var b strings.Builder
	b.Grow(len(src) + 8)
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
			case n == 'R' && !inClass:
				b.WriteString(`(?:\r\n|[\n\v\f\r\x{85}\x{2028}\x{2029}])`)
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
	return b.String()
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
