package grep

import (
	"log/slog"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/regex"
)

type logicalOp uint8

const (
	opLegacy logicalOp = iota
	opAND
	opOR
)

type rule struct {
	path    *accessor.Path
	re      *regex.Regexp
	exclude bool
}

// Filter is one grep instance; immutable and safe for concurrent use.
type Filter struct {
	rules   []rule
	op      logicalOp
	exclude bool // AND/OR: the rules are Exclude rules
	logger  *slog.Logger
}

// New compiles the rules.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{logger: s.Logger}
	switch strings.ToUpper(c.String("Logical_Op")) {
	case "AND":
		f.op = opAND
	case "OR":
		f.op = opOR
	}
	for _, o := range c.InOrder("Regex", "Exclude") {
		path, err := accessor.ParseKey(o.Words[0])
		if err != nil {
			return nil, c.Errorf(o.Name, "%v", err)
		}
		re, err := regex.Compile(o.Words[1])
		if err != nil {
			return nil, c.Errorf(o.Name, "%v", err)
		}
		f.rules = append(f.rules, rule{path: path, re: re, exclude: o.Name == "Exclude"})
	}
	if f.op != opLegacy && len(f.rules) > 0 {
		f.exclude = f.rules[0].exclude
		for _, r := range f.rules {
			if r.exclude != f.exclude {
				return nil, c.Errorf("Logical_Op", "Regex and Exclude rules cannot be mixed with Logical_Op %s; use two grep filters, or Logical_Op legacy", c.String("Logical_Op"))
			}
		}
	}
	return f, nil
}

var textPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// Filter implements plugin.Filter.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	if len(f.rules) == 0 {
		return plugin.FilterUnchanged, nil
	}
	tp := textPool.Get().(*[]byte)
	defer textPool.Put(tp)
	dropped := false
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		if f.keep(ev.Body, tp) {
			out.AppendRaw(ev.Raw)
		} else {
			dropped = true
		}
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, err
	}
	if !dropped {
		return plugin.FilterUnchanged, nil
	}
	return plugin.FilterModified, nil
}

// matches reports whether the rule's key matches. A match the regex engine
// gave up on counts as no match (and is logged).
func (f *Filter) matches(r *rule, body []byte, tp *[]byte) bool {
	v, ok := r.path.Get(body)
	if !ok {
		return false
	}
	text, ok := accessor.AppendText((*tp)[:0], v)
	*tp = text
	if !ok {
		return false
	}
	m, err := r.re.Match(text)
	if err != nil {
		regex.LogTimeout(f.logger, err)
	}
	return m
}

// keep decides one record.
func (f *Filter) keep(body []byte, tp *[]byte) bool {
	switch f.op {
	case opAND:
		all := true
		for i := range f.rules {
			if !f.matches(&f.rules[i], body, tp) {
				all = false
				break
			}
		}
		return all != f.exclude
	case opOR:
		matched := false
		for i := range f.rules {
			if f.matches(&f.rules[i], body, tp) {
				matched = true
				break
			}
		}
		return matched != f.exclude
	}
	for i := range f.rules {
		r := &f.rules[i]
		if f.matches(r, body, tp) == r.exclude {
			return false
		}
	}
	return true
}
