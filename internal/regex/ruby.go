package regex

import "strings"

// translate rewrites a Fluent Bit (Ruby, Onigmo) pattern into the syntax
// both engines read the same way:
//
//   - /pattern/ delimiters are stripped, and /pattern/imx flags read, as
//     Fluent Bit reads them (flb_regex.c check_option): i ignores case, m
//     lets . match a newline (Ruby's multiline is RE2's s), x ignores
//     whitespace and # comments (free spacing);
//   - inline options mean what they mean in Ruby: (?m) and (?m:...) let .
//     match a newline, so m becomes s;
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
	src, flags := stripDelimiters(expr)
	if strings.Contains(flags, "x") {
		src = freeSpacing(src)
	}
	var b strings.Builder
	b.Grow(len(src) + 8)
	b.WriteString("(?m")
	if strings.Contains(flags, "m") {
		b.WriteByte('s')
	}
	if strings.Contains(flags, "i") {
		b.WriteByte('i')
	}
	b.WriteByte(')')
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '(' && !inClass && i+1 < len(src) && src[i+1] == '?' {
			if n := inlineOptions(src[i+2:]); n > 0 {
				b.WriteString("(?")
				b.WriteString(strings.ReplaceAll(src[i+2:i+2+n], "m", "s"))
				i += 1 + n
				continue
			}
		}
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

// stripDelimiters removes Ruby's /.../ delimiters and returns the flags
// after the closing one, as Fluent Bit does (flb_regex.c): a pattern that
// starts with a slash and has another one later followed only by the
// letters i, m, x (o is ignored) is /pattern/flags; one that starts and
// ends with a slash is /pattern/; any other pattern is taken whole, so
// /var/log/ is "var/log" but /var/log/a (a is no flag) stays as written.
func stripDelimiters(expr string) (pattern, flags string) {
	if len(expr) >= 2 && expr[0] == '/' {
		if last := strings.LastIndexByte(expr, '/'); last > 0 && last < len(expr)-1 {
			flags = expr[last+1:]
			if strings.Trim(flags, "imxo") == "" && strings.Trim(flags, "o") != "" {
				return expr[1:last], flags
			}
			flags = ""
		}
		if expr[len(expr)-1] == '/' {
			return expr[1 : len(expr)-1], ""
		}
	}
	return expr, ""
}

// inlineOptions returns the length of the option letters and their end
// (")" or ":") at the start of s, the text after "(?" — "m)", "i-m:",
// "mi:" — or 0 when s is not an option group (a named group, look-around).
func inlineOptions(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'i', 'm', 'x', '-':
		case ')', ':':
			if i == 0 {
				return 0
			}
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// freeSpacing removes what Ruby's x flag ignores: whitespace and #
// comments to the end of the line, outside character classes and when not
// escaped.
func freeSpacing(src string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			b.WriteByte(c)
			b.WriteByte(src[i+1])
			i++
		case inClass:
			inClass = c != ']'
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		case c == '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
