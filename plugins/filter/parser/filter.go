package parser

import (
	"log/slog"
	"sync"

	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/regex"
)

// Filter is one parser filter instance. It is immutable and safe for
// concurrent use.
type Filter struct {
	logger      *slog.Logger
	key         string
	parsers     []*parser.Parser
	reserveData bool
	preserveKey bool
	unescapeKey bool
}

// New builds the filter, resolving every Parser name.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{
		logger:      s.Logger,
		key:         c.String("Key_Name"),
		reserveData: c.Bool("Reserve_Data"),
		preserveKey: c.Bool("Preserve_Key"),
		unescapeKey: c.Bool("Unescape_Key"),
	}
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	for _, name := range c.All("Parser") {
		p, ok := s.Parsers.Lookup(name)
		if !ok {
			return nil, c.Errorf("Parser", "no parser named %q; %s", name, s.Parsers.UnknownHint(name))
		}
		f.parsers = append(f.parsers, p)
	}
	return f, nil
}

type scratch struct {
	parsed, text []byte
	kept         [][2][]byte
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
		if f.apply(ev, out, sc) {
			changed = true
		} else {
			out.AppendRaw(ev.Raw)
		}
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, err
	}
	if !changed {
		return plugin.FilterUnchanged, nil
	}
	return plugin.FilterModified, nil
}

// apply parses one record into out; it reports false, writing nothing,
// when the record passes unchanged.
func (f *Filter) apply(ev *record.Event, out *record.Builder, sc *scratch) bool {
	v, ok := record.Lookup(ev.Body, f.key)
	if !ok {
		return false
	}
	text, ok := record.StringValue(v)
	if !ok {
		return false
	}
	if f.unescapeKey {
		sc.text = parser.AppendUnescaped(sc.text[:0], text)
		text = sc.text
	}
	var res parser.Result
	matched := false
	for _, p := range f.parsers {
		var err error
		if sc.parsed, res, err = p.Parse(sc.parsed[:0], text); err == nil {
			matched = true
			break
		}
		regex.LogTimeout(f.logger, err) // a regex that gave up: this parser does not match
	}
	if !matched {
		return false
	}
	t := ev.Time
	if res.HasTime {
		t = res.Time
	} else if res.TimeErr != nil {
		// The record keeps its time and the field its text.
		f.logger.Debug("time not read; the record keeps its own", "error", res.TimeErr)
	}
	parsed := sc.parsed
	if !f.reserveData && !f.preserveKey {
		out.Append(t, ev.Meta, parsed)
		return true
	}
	// Collect the original fields that stay: the parsed field itself with
	// Preserve_Key, the others with Reserve_Data, unless the parse
	// produced the same key.
	sc.kept = sc.kept[:0]
	_ = record.MapEntries(ev.Body, func(k, val []byte) bool {
		isKey := string(k) == f.key
		if (isKey && f.preserveKey) || (!isKey && f.reserveData) {
			if _, dup := record.Lookup(parsed, string(k)); !dup {
				sc.kept = append(sc.kept, [2][]byte{k, val})
			}
		}
		return true
	})
	n, err := mapLen(parsed)
	if err != nil {
		return false
	}
	out.BeginEvent(t, ev.Meta)
	out.AppendMapHeader(len(sc.kept) + n)
	for _, kv := range sc.kept {
		out.AppendStringBytes(kv[0])
		out.AppendRawValue(kv[1])
	}
	out.AppendRawValue(parsed[mapHeaderLen(parsed):])
	return true
}
