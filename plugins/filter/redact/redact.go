package redact

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

var _ plugin.Filter = (*Filter)(nil)

// Filter masks findings in records. It keeps no state between batches and
// is safe for concurrent use.
type Filter struct {
	detectors   []*detector
	keyNames    bool
	sensitive   []string // lower case
	keys        []string // top-level keys to scan; nil: all
	replacement map[string][]byte
}

// New returns a redact filter configured by s.Config (see Spec).
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	dets, keyNames, err := selectRules(c.List("Rules"))
	if err != nil {
		return nil, c.Errorf("Rules", "%v", err)
	}
	for _, words := range c.AllWords("Regex") {
		if len(words) < 2 || words[1] == "" {
			return nil, c.Errorf("Regex", "%q: give a name and a regular expression: Regex NAME REGEX", strings.Join(words, " "))
		}
		re, err := regexp.Compile(words[1])
		if err != nil {
			return nil, c.Errorf("Regex", "%s: %v", words[0], err)
		}
		d := &detector{name: words[0], re: re}
		if re.NumSubexp() > 0 {
			d.group = 1
		}
		dets = append(dets, d)
	}
	f := &Filter{detectors: dets, keyNames: keyNames, replacement: map[string][]byte{}}
	for _, k := range c.List("Sensitive_Keys") {
		f.sensitive = append(f.sensitive, strings.ToLower(k))
	}
	for _, k := range c.All("Key") {
		p, err := accessor.ParseKey(strings.TrimSpace(k))
		if err != nil {
			return nil, c.Errorf("Key", "%v", err)
		}
		if len(p.Segments()) > 1 {
			return nil, c.Errorf("Key", "%s: name a top-level key; redact scans everything below it", k)
		}
		f.keys = append(f.keys, p.TopKey())
	}
	repl := c.String("Replacement")
	for _, d := range dets {
		f.replacement[d.name] = []byte(strings.ReplaceAll(repl, "{rule}", d.name))
	}
	f.replacement[keyNamesRule] = []byte(strings.ReplaceAll(repl, "{rule}", keyNamesRule))
	return f, nil
}

// Filter implements plugin.Filter. Records without findings are copied
// through unchanged; a batch without any is left as it came.
func (f *Filter) Filter(_ string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	first := -1
	it := record.NewIterator(events)
	for it.Next() {
		if f.dirty(it.Event().Body) {
			first = it.Index()
			break
		}
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, err
	}
	if first < 0 {
		return plugin.FilterUnchanged, nil
	}
	var body []byte
	it = record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		if it.Index() < first || !f.dirty(ev.Body) {
			out.AppendRaw(ev.Raw)
			continue
		}
		var err error
		if body, _, err = f.value(body[:0], ev.Body, nil, 0, true); err != nil {
			return plugin.FilterUnchanged, fmt.Errorf("record %d: %w", it.Index(), err)
		}
		out.Append(ev.Time, ev.Meta, body)
	}
	return plugin.FilterModified, it.Err()
}

// dirty reports whether the body has a finding.
func (f *Filter) dirty(body []byte) bool {
	_, found, err := f.value(nil, body, nil, 0, false)
	return err == nil && found
}

// value walks the msgpack value at the start of v, which sits under map key
// key at nesting depth. With write, it appends the value to dst with every
// finding masked; without, it only reports whether there is one. It
// returns dst and whether anything was found.
func (f *Filter) value(dst, v, key []byte, depth int, write bool) ([]byte, bool, error) {
	switch msgp.NextType(v) {
	case msgp.MapType:
		n, rest, err := msgp.ReadMapHeaderBytes(v)
		if err != nil {
			return dst, false, err
		}
		if write {
			dst = msgp.AppendMapHeader(dst, n)
		}
		found := false
		for range n {
			start := rest
			if rest, err = msgp.Skip(rest); err != nil {
				return dst, false, err
			}
			rawKey := start[:len(start)-len(rest)]
			k, _ := record.StringValue(rawKey)
			if write {
				dst = append(dst, rawKey...)
			}
			val := rest
			if rest, err = msgp.Skip(rest); err != nil {
				return dst, false, err
			}
			val = val[:len(val)-len(rest)]
			if depth == 0 && f.keys != nil && !f.scans(k) {
				if write {
					dst = append(dst, val...)
				}
				continue
			}
			var hit bool
			if dst, hit, err = f.value(dst, val, k, depth+1, write); err != nil {
				return dst, false, err
			}
			found = found || hit
			if found && !write {
				return dst, true, nil
			}
		}
		return dst, found, nil
	case msgp.ArrayType:
		n, rest, err := msgp.ReadArrayHeaderBytes(v)
		if err != nil {
			return dst, false, err
		}
		if write {
			dst = msgp.AppendArrayHeader(dst, n)
		}
		found := false
		for range n {
			val := rest
			if rest, err = msgp.Skip(rest); err != nil {
				return dst, false, err
			}
			var hit bool
			if dst, hit, err = f.value(dst, val[:len(val)-len(rest)], key, depth+1, write); err != nil {
				return dst, false, err
			}
			found = found || hit
			if found && !write {
				return dst, true, nil
			}
		}
		return dst, found, nil
	case msgp.StrType, msgp.BinType:
		s, _ := record.StringValue(v)
		if f.keyNames && len(s) > 0 && f.isSensitive(key) {
			if write {
				dst = msgp.AppendStringFromBytes(dst, f.replacement[keyNamesRule])
			}
			return dst, true, nil
		}
		masked, found := f.mask(s, write)
		if !write {
			return dst, found, nil
		}
		if !found {
			rest, err := msgp.Skip(v)
			return append(dst, v[:len(v)-len(rest)]...), false, err
		}
		return msgp.AppendStringFromBytes(dst, masked), true, nil
	}
	rest, err := msgp.Skip(v)
	if write {
		dst = append(dst, v[:len(v)-len(rest)]...)
	}
	return dst, false, err
}

func (f *Filter) scans(key []byte) bool {
	for _, k := range f.keys {
		if string(key) == k {
			return true
		}
	}
	return false
}

func (f *Filter) isSensitive(key []byte) bool {
	if len(key) == 0 {
		return false
	}
	for _, k := range f.sensitive {
		if strings.EqualFold(string(key), k) {
			return true
		}
	}
	return false
}

// mask applies every detector to s in turn. Without write it stops at the
// first finding and returns no text.
func (f *Filter) mask(s []byte, write bool) ([]byte, bool) {
	found := false
	for _, d := range f.detectors {
		if d.trigger != nil && !d.trigger(s) {
			continue
		}
		matches := d.re.FindAllSubmatchIndex(s, -1)
		var out []byte
		last := 0
		for _, m := range matches {
			start, end := m[0], m[1]
			if d.group > 0 && len(m) > 2*d.group+1 && m[2*d.group] >= 0 {
				start, end = m[2*d.group], m[2*d.group+1]
			}
			if start == end || (d.valid != nil && !d.valid(s[start:end])) {
				continue
			}
			if !write {
				return nil, true
			}
			out = append(out, s[last:start]...)
			out = append(out, f.replacement[d.name]...)
			last = end
		}
		if out != nil {
			s = append(out, s[last:]...)
			found = true
		}
	}
	return s, found
}
