package rewritetag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/regex"
)

type rule struct {
	key  *accessor.Path
	re   *regex.Regexp
	tag  *accessor.Template
	keep bool
}

// Filter is one rewrite_tag instance; immutable and safe for concurrent use.
type Filter struct {
	id      string
	rules   []rule
	emitter plugin.Emitter
	logger  *slog.Logger
}

// New compiles the rules.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{id: s.ID, emitter: s.Emitter, logger: s.Logger}
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	for _, w := range c.AllWords("Rule") {
		key, err := accessor.ParseKey(w[0])
		if err != nil {
			return nil, c.Errorf("Rule", "KEY: %v", err)
		}
		re, err := regex.Compile(w[1])
		if err != nil {
			return nil, c.Errorf("Rule", "REGEX: %v", err)
		}
		tag, err := accessor.ParseTemplate(w[2])
		if err != nil {
			return nil, c.Errorf("Rule", "NEW_TAG: %v", err)
		}
		keep, err := plugin.ParseBool(w[3])
		if err != nil {
			return nil, c.Errorf("Rule", "KEEP: %v", err)
		}
		f.rules = append(f.rules, rule{key: key, re: re, tag: tag, keep: keep})
	}
	return f, nil
}

// scratch holds a batch's re-tagged records, grouped by new tag in the
// order the tags first appear.
type scratch struct {
	tags     []string
	builders map[string]*record.Builder
	text     []byte
	tagBuf   []byte
	captures [][]byte
}

var scratchPool = sync.Pool{New: func() any { return &scratch{builders: map[string]*record.Builder{}} }}

// Filter implements plugin.Filter: records a rule matches are emitted
// under their new tag before the batch continues.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	sc := scratchPool.Get().(*scratch)
	defer func() {
		for _, t := range sc.tags {
			sc.builders[t].Reset()
		}
		sc.tags = sc.tags[:0]
		if len(sc.builders) > 256 { // do not keep builders for an unbounded set of tags
			clear(sc.builders)
		}
		scratchPool.Put(sc)
	}()
	dropped := false
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		newTag, keep, ok := f.match(tag, ev.Body, sc)
		if !ok {
			out.AppendRaw(ev.Raw)
			continue
		}
		b := sc.builders[newTag]
		if b == nil {
			b = new(record.Builder)
			sc.builders[newTag] = b
		}
		if b.Records() == 0 {
			sc.tags = append(sc.tags, newTag)
		}
		b.AppendRaw(ev.Raw)
		if keep {
			out.AppendRaw(ev.Raw)
		} else {
			dropped = true
		}
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, err
	}
	if len(sc.tags) == 0 {
		if !dropped {
			return plugin.FilterUnchanged, nil
		}
		return plugin.FilterModified, nil
	}
	if f.emitter == nil {
		return plugin.FilterUnchanged, errors.New("rewrite_tag: no emitter; the engine builds one for filters whose Spec has Emits")
	}
	for i, t := range sc.tags {
		b := sc.builders[t]
		err := f.emitter.Emit(context.Background(), t, b.Bytes(), b.Records())
		if err == nil {
			continue
		}
		err = fmt.Errorf("rewrite_tag %s: emit under %q: %w", f.id, t, err)
		if i == 0 {
			return plugin.FilterUnchanged, err // nothing emitted: the batch passes as it came
		}
		// Some tags were emitted: rebuild the batch so that only the
		// records emitted and not kept leave it, and none is duplicated.
		f.logger.Warn("records stay under their original tag", "tag", tag, "error", err)
		f.rebuild(tag, events, out, sc, sc.tags[:i])
		return plugin.FilterModified, nil
	}
	return plugin.FilterModified, nil
}

// rebuild writes into out the records of events that stay under tag when
// only the records re-tagged to one of emitted left.
func (f *Filter) rebuild(tag string, events []byte, out *record.Builder, sc *scratch, emitted []string) {
	out.Reset()
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		newTag, keep, ok := f.match(tag, ev.Body, sc)
		if ok && !keep && slices.Contains(emitted, newTag) {
			continue
		}
		out.AppendRaw(ev.Raw)
	}
}

// match runs the rules on one record and returns the new tag.
func (f *Filter) match(tag string, body []byte, sc *scratch) (string, bool, bool) {
	for i := range f.rules {
		r := &f.rules[i]
		v, ok := r.key.Get(body)
		if !ok {
			continue
		}
		text, ok := accessor.AppendText(sc.text[:0], v)
		sc.text = text
		if !ok {
			continue
		}
		loc, err := r.re.FindSubmatchIndex(text)
		if err != nil {
			regex.LogTimeout(f.logger, err) // the rule does not match this record
			continue
		}
		if loc == nil {
			continue
		}
		sc.captures = sc.captures[:0]
		for g := 0; g < len(loc); g += 2 {
			var c []byte
			if loc[g] >= 0 {
				c = text[loc[g]:loc[g+1]]
			}
			sc.captures = append(sc.captures, c)
		}
		sc.tagBuf, _ = r.tag.RenderCaptures(sc.tagBuf[:0], tag, body, sc.captures)
		if len(sc.tagBuf) == 0 {
			return "", false, false
		}
		return string(sc.tagBuf), r.keep, true
	}
	return "", false, false
}
