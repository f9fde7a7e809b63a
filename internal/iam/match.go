package iam

import (
	"strings"
	"unicode/utf8"
)

// Placeholders for an ARN's region and account when the operator gave
// neither (no region parameter, no --region/--account). A requirement
// carrying one is satisfied by a policy ARN with any value there, and the
// generator renders them as the format's own variable (${AWS::Region},
// data.aws_region.current.name, or * in plain JSON).
const (
	AnyRegion  = "${Region}"
	AnyAccount = "${Account}"
)

// covers reports whether the IAM wildcard pattern (with * and ?) matches
// every string that required stands for. required is a concrete name or
// itself a pattern in which '*' means "any run of characters" (a template
// variable): a pattern '*' covers any run of it, but '?' or a literal cannot
// cover a required '*', since that stands for names of every length. With
// fold, letters compare case-insensitively (actions); otherwise exactly
// (resource ARNs, which AWS compares case-sensitively).
func covers(pattern, required string, fold bool) bool {
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(required) {
		if p < len(pattern) {
			switch c := pattern[p]; {
			case c == '*':
				star, mark = p, s
				p++
				continue
			case c == '?' && required[s] != '*':
				_, n := utf8.DecodeRuneInString(required[s:])
				p, s = p+1, s+n
				continue
			case c != '?' && required[s] != '*' && sameByte(c, required[s], fold):
				p, s = p+1, s+1
				continue
			}
		}
		if star < 0 {
			return false
		}
		// Backtrack: let the last * of the pattern take one more byte.
		p, mark = star+1, mark+1
		s = mark
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func sameByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	if 'A' <= a && a <= 'Z' {
		a += 'a' - 'A'
	}
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	return a == b
}

// matchAction reports whether an Action pattern ("logs:Put*") covers action.
// AWS compares actions case-insensitively.
func matchAction(pattern, action string) bool {
	return pattern == "*" || covers(pattern, action, true)
}

// matchResource reports whether a Resource pattern covers the resource ARN
// arn, case-sensitively. The partition, service, region and account
// segments are matched one by one (a * there cannot reach into the next
// segment), the resource part as a whole, where * crosses ':' and '/'
// (log-group:NAME:* covers log-group:NAME:log-stream:S). A pattern with
// fewer than six segments is matched against the whole ARN. A region or
// account of AnyRegion/AnyAccount, on either side, matches any value: it
// stands for the one the policy or the output will be deployed with.
func matchResource(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	ps := strings.SplitN(pattern, ":", 6)
	as := strings.SplitN(arn, ":", 6)
	if len(ps) < 6 || len(as) < 6 {
		return covers(pattern, arn, false)
	}
	for i := range ps {
		if (i == 3 && (as[i] == AnyRegion || ps[i] == AnyRegion)) || (i == 4 && (as[i] == AnyAccount || ps[i] == AnyAccount)) {
			continue
		}
		if !covers(ps[i], as[i], false) {
			return false
		}
	}
	return true
}

// overlaps reports whether two wildcard patterns can match a common
// string: whether a Deny naming pattern a denies some of the names a
// templated requirement b stands for.
func overlaps(a, b string) bool {
	memo := make([]int8, (len(a)+1)*(len(b)+1)) // 0 unknown, 1 yes, 2 no
	var f func(i, j int) bool
	f = func(i, j int) bool {
		k := i*(len(b)+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var r bool
		switch {
		case i == len(a) && j == len(b):
			r = true
		case i < len(a) && a[i] == '*':
			r = f(i+1, j) || (j < len(b) && f(i, j+1))
		case j < len(b) && b[j] == '*':
			r = f(i, j+1) || (i < len(a) && f(i+1, j))
		case i < len(a) && j < len(b):
			r = (a[i] == '?' || b[j] == '?' || a[i] == b[j]) && f(i+1, j+1)
		}
		memo[k] = 2
		if r {
			memo[k] = 1
		}
		return r
	}
	return f(0, 0)
}

// overlapsResource is overlaps per ARN segment, as matchResource matches.
func overlapsResource(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	ps := strings.SplitN(pattern, ":", 6)
	as := strings.SplitN(arn, ":", 6)
	if len(ps) < 6 || len(as) < 6 {
		return overlaps(pattern, arn)
	}
	for i := range ps {
		if (i == 3 && (as[i] == AnyRegion || ps[i] == AnyRegion)) || (i == 4 && (as[i] == AnyAccount || ps[i] == AnyAccount)) {
			continue
		}
		if !overlaps(ps[i], as[i]) {
			return false
		}
	}
	return true
}
