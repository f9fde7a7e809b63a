package modify

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/regex"
	"github.com/tinylib/msgp/msgp"
)

type op uint8

const (
	opSet op = iota
	opAdd
	opRemove
	opRemoveWildcard
	opRemoveRegex
	opRename
	opHardRename
	opCopy
	opHardCopy
	opMoveToStart
	opMoveToEnd
)

var opNames = map[string]op{
	"Set": opSet, "Add": opAdd, "Remove": opRemove, "Remove_wildcard": opRemoveWildcard, "Remove_regex": opRemoveRegex,
	"Rename": opRename, "Hard_rename": opHardRename, "Copy": opCopy, "Hard_copy": opHardCopy,
	"Move_to_start": opMoveToStart, "Move_to_end": opMoveToEnd,
}

// rule is one rule line, compiled.
type rule struct {
	op    op
	key   string
	arg   string // the second word: NEW key
	keyB  []byte // key and arg as bytes, written into records without
	argB  []byte // a conversion per record
	value []byte // Set/Add: the value, encoded as a msgpack string
	match keyMatcher
}

// keyMatcher matches keys by wildcard or regex.
type keyMatcher struct {
	exact, prefix string
	isPrefix      bool
	re            *regex.Regexp
	logger        *slog.Logger // where a regex match that gave up is logged
}

func (m *keyMatcher) matches(k []byte) bool {
	switch {
	case m.re != nil:
		return matchLogged(m.re, k, m.logger)
	case m.isPrefix:
		return strings.HasPrefix(string(k), m.prefix)
	}
	return string(k) == m.exact
}

func wildcard(p string) keyMatcher {
	if strings.HasSuffix(p, "*") {
		return keyMatcher{prefix: strings.TrimSuffix(p, "*"), isPrefix: true}
	}
	return keyMatcher{exact: p}
}

// matchLogged matches b against re; a match the engine gave up on is no
// match, logged.
func matchLogged(re *regex.Regexp, b []byte, logger *slog.Logger) bool {
	ok, err := re.Match(b)
	if err != nil {
		regex.LogTimeout(logger, err)
	}
	return ok
}

// condition is one Condition line, compiled.
type condition struct {
	kind   string
	path   *accessor.Path
	value  string
	keyRe  *regex.Regexp
	valRe  *regex.Regexp
	logger *slog.Logger
}

// Filter is one modify instance; immutable and safe for concurrent use.
type Filter struct {
	rules      []rule
	conditions []condition
}

// New compiles the filter's rules and conditions.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{}
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.name
	}
	for _, o := range c.InOrder(names...) {
		r := rule{op: opNames[o.Name], key: o.Words[0]}
		if len(o.Words) > 1 {
			r.arg = o.Words[1]
		}
		r.keyB, r.argB = []byte(r.key), []byte(r.arg)
		switch r.op {
		case opSet, opAdd:
			r.value = msgp.AppendString(nil, r.arg)
		case opRemoveWildcard, opMoveToStart, opMoveToEnd:
			r.match = wildcard(r.key)
		case opRemoveRegex:
			re, err := regex.Compile(r.key)
			if err != nil {
				return nil, c.Errorf(o.Name, "%v", err)
			}
			r.match = keyMatcher{re: re, logger: s.Logger}
		}
		f.rules = append(f.rules, r)
	}
	for _, words := range c.AllWords("Condition") {
		cond, err := compileCondition(words)
		if err != nil {
			return nil, c.Errorf("Condition", "%v", err)
		}
		cond.logger = s.Logger
		f.conditions = append(f.conditions, cond)
	}
	return f, nil
}

func compileCondition(words []string) (condition, error) {
	kind := strings.ToLower(words[0])
	want, ok := conditions[kind]
	if !ok {
		return condition{}, fmt.Errorf("unknown condition %q; valid conditions are Key_exists, Key_does_not_exist, A_key_matches, No_key_matches, "+
			"Key_value_equals, Key_value_does_not_equal, Key_value_matches, Key_value_does_not_match, "+
			"Matching_keys_have_matching_values, Matching_keys_do_not_have_matching_values", words[0])
	}
	args := plugin.SplitWords(words[1], want)
	if len(args) != want {
		return condition{}, fmt.Errorf("%s takes %d argument(s), got %q", words[0], want, words[1])
	}
	cond := condition{kind: kind}
	var err error
	switch kind {
	case "key_exists", "key_does_not_exist":
		cond.path, err = accessor.ParseKey(args[0])
	case "a_key_matches", "no_key_matches":
		cond.keyRe, err = regex.Compile(args[0])
	case "key_value_equals", "key_value_does_not_equal":
		cond.path, err = accessor.ParseKey(args[0])
		cond.value = args[1]
	case "key_value_matches", "key_value_does_not_match":
		if cond.path, err = accessor.ParseKey(args[0]); err == nil {
			cond.valRe, err = regex.Compile(args[1])
		}
	default: // matching_keys_...
		if cond.keyRe, err = regex.Compile(args[0]); err == nil {
			cond.valRe, err = regex.Compile(args[1])
		}
	}
	return cond, err
}

// field is one key/value of the record being rewritten; both alias the
// input chunk or the filter's constants.
type field struct{ key, val []byte }

type scratch struct {
	fields []field
	text   []byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Filter implements plugin.Filter.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	changed := false
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		if !f.meets(ev.Body, sc) {
			out.AppendRaw(ev.Raw)
			continue
		}
		sc.fields = sc.fields[:0]
		if err := record.MapEntries(ev.Body, func(k, v []byte) bool {
			sc.fields = append(sc.fields, field{k, v})
			return true
		}); err != nil {
			out.AppendRaw(ev.Raw) // a non-string key: leave the record alone
			continue
		}
		for i := range f.rules {
			sc.fields = f.rules[i].apply(sc.fields)
		}
		out.BeginEvent(ev.Time, ev.Meta)
		out.AppendMapHeader(len(sc.fields))
		for _, fl := range sc.fields {
			out.AppendStringBytes(fl.key)
			out.AppendRawValue(fl.val)
		}
		changed = true
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, err
	}
	if !changed {
		return plugin.FilterUnchanged, nil
	}
	return plugin.FilterModified, nil
}

func find(fields []field, key string) int {
	for i := range fields {
		if string(fields[i].key) == key {
			return i
		}
	}
	return -1
}

func removeWhere(fields []field, drop func(k []byte) bool) []field {
	out := fields[:0]
	for _, f := range fields {
		if !drop(f.key) {
			out = append(out, f)
		}
	}
	return out
}

// apply runs the rule on the record's fields.
func (r *rule) apply(fields []field) []field {
	switch r.op {
	case opSet:
		if i := find(fields, r.key); i >= 0 {
			fields[i].val = r.value
			return fields
		}
		return append(fields, field{r.keyB, r.value})
	case opAdd:
		if find(fields, r.key) < 0 {
			return append(fields, field{r.keyB, r.value})
		}
	case opRemove:
		return removeWhere(fields, func(k []byte) bool { return string(k) == r.key })
	case opRemoveWildcard, opRemoveRegex:
		return removeWhere(fields, r.match.matches)
	case opRename, opHardRename:
		i := find(fields, r.key)
		if i < 0 || r.key == r.arg {
			return fields
		}
		if j := find(fields, r.arg); j >= 0 {
			if r.op == opRename {
				return fields
			}
			fields = append(fields[:j], fields[j+1:]...)
			i = find(fields, r.key)
		}
		fields[i].key = r.argB
	case opCopy, opHardCopy:
		i := find(fields, r.key)
		if i < 0 || r.key == r.arg {
			return fields
		}
		if j := find(fields, r.arg); j >= 0 {
			if r.op == opCopy {
				return fields
			}
			fields[j].val = fields[i].val
			return fields
		}
		return append(fields, field{r.argB, fields[i].val})
	case opMoveToStart, opMoveToEnd:
		var moved, rest []field
		for _, f := range fields {
			if r.match.matches(f.key) {
				moved = append(moved, f)
			} else {
				rest = append(rest, f)
			}
		}
		if r.op == opMoveToStart {
			return append(append(fields[:0], moved...), rest...)
		}
		return append(append(fields[:0], rest...), moved...)
	}
	return fields
}

// meets reports whether body satisfies every condition.
func (f *Filter) meets(body []byte, sc *scratch) bool {
	for i := range f.conditions {
		if !f.conditions[i].holds(body, sc) {
			return false
		}
	}
	return true
}

func (c *condition) holds(body []byte, sc *scratch) bool {
	switch c.kind {
	case "key_exists":
		_, ok := c.path.Get(body)
		return ok
	case "key_does_not_exist":
		_, ok := c.path.Get(body)
		return !ok
	case "a_key_matches", "no_key_matches":
		found := false
		_ = record.MapEntries(body, func(k, _ []byte) bool {
			found = matchLogged(c.keyRe, k, c.logger)
			return !found
		})
		return found == (c.kind == "a_key_matches")
	case "key_value_equals", "key_value_does_not_equal", "key_value_matches", "key_value_does_not_match":
		v, ok := c.path.Get(body)
		if !ok {
			return false // Fluent Bit: a missing key fails both forms
		}
		text, ok := accessor.AppendText(sc.text[:0], v)
		sc.text = text
		if !ok {
			return false
		}
		switch c.kind {
		case "key_value_equals":
			return string(text) == c.value
		case "key_value_does_not_equal":
			return string(text) != c.value
		case "key_value_matches":
			return matchLogged(c.valRe, text, c.logger)
		}
		return !matchLogged(c.valRe, text, c.logger)
	}
	// matching_keys_have_matching_values / ..._do_not_have_...
	have := c.kind == "matching_keys_have_matching_values"
	matchedKey, ok := false, true
	_ = record.MapEntries(body, func(k, v []byte) bool {
		if !matchLogged(c.keyRe, k, c.logger) {
			return true
		}
		matchedKey = true
		text, isText := accessor.AppendText(sc.text[:0], v)
		sc.text = text
		if isText && matchLogged(c.valRe, text, c.logger) != have {
			ok = false
		}
		if !isText && have {
			ok = false
		}
		return ok
	})
	return ok && (matchedKey || !have)
}
