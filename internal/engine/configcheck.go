package engine

import (
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
)

// lockedEmitter is a filter that emits while holding its lock
// (plugin.Spec.EmitsWhileLocked) and the rule that selects its records.
type lockedEmitter struct {
	inst  *instance
	match Matcher
}

// checkLockedEmitters refuses two filters that emit while holding their
// lock and whose Match rules can select the same tag: the records one
// emits pass through the other (an emitter's records skip only the filter
// that emitted them), which emits them back into the first while both
// hold their locks, and the pipeline hangs on the first record. Tags are
// judged as `sluice validate` judges routes: '*'-patterns by whether some
// tag matches both, Match_Regex by the inputs' static tags.
func (b *builder) checkLockedEmitters(inputs []*inputRunner) {
	var tags []string
	for _, r := range inputs {
		if !r.dynamicTags {
			tags = append(tags, r.tag)
		}
	}
	for i, a := range b.locked {
		for _, c := range b.locked[i+1:] {
			what, ok := matchersOverlap(a.match, c.match, tags)
			if !ok {
				continue
			}
			b.fail(&config.Error{Pos: c.inst.section.Pos, Section: c.inst.config.Label(),
				Msg: fmt.Sprintf("holds records and emits them again (buffer on), as %s (at %s) does, and the two take %s: each would feed the other while waiting for it, and the pipeline would hang",
					a.inst.config.Label(), a.inst.section.Pos, what),
				Hint: "list every multiline.parser in one multiline filter for these tags, give the two filters Match rules that select different tags, or set buffer off in one of them"})
		}
	}
}

// matchersOverlap reports whether some tag is selected by both matchers,
// and says which: the tags of a pattern both share, the tags matching two
// patterns, or an input's tag.
func matchersOverlap(a, b Matcher, tags []string) (string, bool) {
	if a.pattern != "" && b.pattern != "" && wildcardsIntersect(a.pattern, b.pattern) {
		if a.pattern == b.pattern {
			return fmt.Sprintf("the tags of Match %s", a.pattern), true
		}
		return fmt.Sprintf("tags matching both %s and %s", a.pattern, b.pattern), true
	}
	for _, tag := range tags {
		if matcherMayMatch(a, tag) && matcherMayMatch(b, tag) {
			return fmt.Sprintf("the input tag %s", tag), true
		}
	}
	return "", false
}

// ignoredKeyWarnings are the keys Sluice accepts for compatibility but
// does not act on in a way that changes where records go or whether they
// survive, so `sluice validate` and the start-up log say so plainly.
func (p *Pipeline) ignoredKeyWarnings() []string {
	var warnings []string
	for _, r := range p.inputs {
		if r.plugin == "emitter" {
			continue
		}
		if strings.EqualFold(r.config.String("storage.type"), "memrb") {
			warnings = append(warnings, fmt.Sprintf("%s: %s: storage.type memrb is run as memory: at Mem_Buf_Limit the input pauses instead of dropping its oldest chunks as Fluent Bit's ring buffer does; set storage.type memory to silence this",
				r.section.Pos, r.config.Label()))
		}
	}
	for _, f := range p.filters {
		// Only emitting filters declare the key, so read the section.
		if kv, ok := f.section.Lookup("Emitter_Storage.type"); ok && strings.EqualFold(strings.TrimSpace(kv.Value), "filesystem") {
			warnings = append(warnings, fmt.Sprintf("%s: %s: Emitter_Storage.type filesystem is not supported: the records this filter emits are buffered in memory only (bounded by Emitter_Mem_Buf_Limit) and are lost if the process dies; remove the key or set memory",
				f.section.Pos, f.config.Label()))
		}
	}
	return warnings
}
