package engine

import (
	"fmt"

	"github.com/sluice-logs/sluice/internal/regex"
)

// Matcher decides whether a tag is routed to a filter or output, with
// Fluent Bit's semantics (src/flb_router.c, router_match):
//
//   - Match is a pattern where '*' matches any run of characters, dots
//     included, and every other character matches itself, case-sensitively.
//     The whole tag must match.
//   - Match_Regex is matched anchored at the start of the tag (onig_match)
//     and must match at least one character; the match need not reach the
//     end of the tag. It is Ruby syntax (package regex), look-ahead
//     included; a match that gives up selects nothing.
//   - When both are set, either may match.
//
// The zero Matcher matches nothing.
type Matcher struct {
	pattern string
	regex   *regex.Regexp
	expr    string // Match_Regex as written
	set     bool
}

// NewMatcher compiles a Match pattern and a Match_Regex expression (either
// may be empty).
func NewMatcher(match, matchRegex string) (Matcher, error) {
	m := Matcher{pattern: match, set: match != ""}
	if matchRegex != "" {
		re, err := regex.Compile(`\A(?:` + matchRegex + `)`)
		if err != nil {
			return Matcher{}, fmt.Errorf("invalid Match_Regex %q: %w", matchRegex, err)
		}
		m.regex, m.expr, m.set = re, matchRegex, true
	}
	return m, nil
}

// IsSet reports whether the matcher has a pattern or an expression.
func (m Matcher) IsSet() bool { return m.set }

// String describes the matcher for logs.
func (m Matcher) String() string {
	switch {
	case m.regex != nil && m.pattern != "":
		return fmt.Sprintf("Match %s or Match_Regex %s", m.pattern, m.expr)
	case m.regex != nil:
		return "Match_Regex " + m.expr
	}
	return "Match " + m.pattern
}

// Match reports whether tag is selected.
func (m Matcher) Match(tag string) bool {
	if m.regex != nil {
		if loc, _ := m.regex.FindStringSubmatchIndex(tag); loc != nil && loc[1] > 0 {
			return true
		}
	}
	return m.pattern != "" && wildcardMatch(m.pattern, tag)
}

// wildcardMatch matches tag against a pattern where '*' stands for any run
// of characters. It backtracks only to the most recent star, which is
// enough for '*'-only patterns and keeps it linear in practice.
func wildcardMatch(pattern, tag string) bool {
	p, t := 0, 0
	star, mark := -1, 0
	for t < len(tag) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, t
			p++
		case p < len(pattern) && pattern[p] == tag[t]:
			p++
			t++
		case star >= 0:
			mark++
			p, t = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
