package nest

import (
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// Filter is one nest instance; immutable and safe for concurrent use.
type Filter struct {
	lift         bool
	wildcards    []string // exact keys, or prefixes ending in *
	under        string
	addPrefix    string
	removePrefix string
}

// New checks the parameters the operation needs.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{lift: c.String("Operation") == "lift", wildcards: c.All("Wildcard"),
		addPrefix: c.String("Add_prefix"), removePrefix: c.String("Remove_prefix")}
	if f.lift {
		if f.under = c.String("Nested_under"); f.under == "" {
			return nil, c.Errorf("Nested_under", "Operation lift needs Nested_under, the map field to lift")
		}
	} else {
		if f.under = c.String("Nest_under"); f.under == "" {
			return nil, c.Errorf("Nest_under", "Operation nest needs Nest_under, the map field to nest into")
		}
		if len(f.wildcards) == 0 {
			return nil, c.Errorf("Wildcard", "Operation nest needs at least one Wildcard naming the fields to move")
		}
	}
	return f, nil
}

func (f *Filter) matches(k []byte) bool {
	for _, w := range f.wildcards {
		if p, ok := strings.CutSuffix(w, "*"); ok {
			if strings.HasPrefix(string(k), p) {
				return true
			}
		} else if string(k) == w {
			return true
		}
	}
	return false
}

// appendKey writes a moved field's key with the prefixes applied.
func (f *Filter) appendKey(out *record.Builder, sc *scratch, k []byte) {
	sc.key = append(sc.key[:0], f.addPrefix...)
	if f.removePrefix != "" && strings.HasPrefix(string(k), f.removePrefix) {
		k = k[len(f.removePrefix):]
	}
	sc.key = append(sc.key, k...)
	out.AppendStringBytes(sc.key)
}

type field struct{ key, val []byte }

type scratch struct {
	stay, moved []field
	key         []byte
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

func (f *Filter) apply(ev *record.Event, out *record.Builder, sc *scratch) bool {
	sc.stay, sc.moved = sc.stay[:0], sc.moved[:0]
	var nested []byte
	err := record.MapEntries(ev.Body, func(k, v []byte) bool {
		switch {
		case f.lift && nested == nil && string(k) == f.under && len(v) > 0 && isMap(v[0]):
			nested = v
		case !f.lift && f.matches(k):
			sc.moved = append(sc.moved, field{k, v})
		default:
			sc.stay = append(sc.stay, field{k, v})
		}
		return true
	})
	if err != nil {
		return false
	}
	if f.lift {
		if nested == nil {
			return false
		}
		if record.MapEntries(nested, func(k, v []byte) bool {
			sc.moved = append(sc.moved, field{k, v})
			return true
		}) != nil {
			return false
		}
	} else if len(sc.moved) == 0 {
		return false
	}
	out.BeginEvent(ev.Time, ev.Meta)
	if f.lift {
		out.AppendMapHeader(len(sc.stay) + len(sc.moved))
	} else {
		out.AppendMapHeader(len(sc.stay) + 1)
	}
	for _, fl := range sc.stay {
		out.AppendStringBytes(fl.key)
		out.AppendRawValue(fl.val)
	}
	if !f.lift {
		out.AppendString(f.under)
		out.AppendMapHeader(len(sc.moved))
	}
	for _, fl := range sc.moved {
		f.appendKey(out, sc, fl.key)
		out.AppendRawValue(fl.val)
	}
	return true
}

func isMap(b byte) bool { return b&0xf0 == 0x80 || b == 0xde || b == 0xdf }
