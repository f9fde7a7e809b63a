package engine

import (
	"fmt"
	"strings"
)

// Warnings reports [SERVICE] keys that were ignored, keys accepted for
// compatibility that change data flow (ignoredKeyWarnings), and routing problems
// that are legal but almost certainly mistakes, as `sluice validate` prints
// them: an output or filter that no
// input's tag can reach, and an input whose records no output takes (they
// would be discarded). Inputs and filters whose tags are only known at run
// time (Spec.DynamicTags) are not judged.
func (p *Pipeline) Warnings() []string {
	warnings := append([]string(nil), p.service.Warnings...)
	warnings = append(warnings, p.ignoredKeyWarnings()...)
	dynamic := false
	var tags []string
	for _, r := range p.inputs {
		if r.dynamicTags {
			dynamic = true
			continue
		}
		tags = append(tags, r.tag)
	}
	for _, f := range p.filters {
		dynamic = dynamic || f.dynamicTags
	}
	reaches := func(m Matcher) bool {
		if dynamic {
			return true
		}
		for _, tag := range tags {
			if matcherMayMatch(m, tag) {
				return true
			}
		}
		return false
	}
	for _, o := range p.outputs {
		switch {
		case !o.match.IsSet():
			warnings = append(warnings, fmt.Sprintf("%s: %s has no Match or Match_Regex and will receive no records; add Match *",
				o.section.Pos, o.config.Label()))
		case !reaches(o.match):
			warnings = append(warnings, fmt.Sprintf("%s: %s: %s matches no input tag (%s); it will receive no records",
				o.section.Pos, o.config.Label(), o.match, strings.Join(tags, ", ")))
		}
	}
	for _, f := range p.filters {
		if f.match.IsSet() && !reaches(f.match) {
			warnings = append(warnings, fmt.Sprintf("%s: %s: %s matches no input tag (%s); it will process no records",
				f.section.Pos, f.config.Label(), f.match, strings.Join(tags, ", ")))
		}
	}
	for _, r := range p.inputs {
		if r.dynamicTags || dynamic {
			continue
		}
		taken := false
		for _, o := range p.outputs {
			if matcherMayMatch(o.match, r.tag) {
				taken = true
				break
			}
		}
		if !taken {
			warnings = append(warnings, fmt.Sprintf("%s: %s: no output matches tag %q; its records would be discarded",
				r.section.Pos, r.config.Label(), r.tag))
		}
	}
	return warnings
}

// matcherMayMatch reports whether m can select records of an input tagged
// tag. A tag may itself contain '*' (tail's Tag kube.* expands per file),
// in which case it stands for every tag it matches.
func matcherMayMatch(m Matcher, tag string) bool {
	if !strings.Contains(tag, "*") {
		return m.Match(tag)
	}
	if m.regex != nil {
		return true // a regex against a tag pattern cannot be decided cheaply
	}
	return m.pattern != "" && wildcardsIntersect(m.pattern, tag)
}

// wildcardsIntersect reports whether some tag matches both '*'-patterns.
func wildcardsIntersect(a, b string) bool {
	memo := map[[2]int]bool{}
	var f func(i, j int) bool
	f = func(i, j int) bool {
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
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
			r = a[i] == b[j] && f(i+1, j+1)
		}
		memo[key] = r
		return r
	}
	return f(0, 0)
}
