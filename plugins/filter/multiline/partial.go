package multiline

import (
	"bytes"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// The keys of Docker's partial message metadata (the fluentd log driver
// sets them on the pieces of a line longer than 16 KiB).
const (
	partialMessageKey = "partial_message"
	partialIDKey      = "partial_id"
	partialLastKey    = "partial_last"
	partialPrefix     = "partial_"
)

// partialKey names one split message: its tag and partial_id.
type partialKey struct{ tag, id string }

// partialGroup is a split message being put together: the first piece's
// time, metadata and other keys, and the text of every piece so far.
type partialGroup struct {
	key   partialKey
	time  record.Time
	meta  []byte
	pairs []byte // encoded key/value pairs of the first piece, without key_content and partial_*
	n     int    // how many pairs
	text  []byte
	last  time.Time // when the last piece came
}

// partials holds the split messages of mode partial_message, oldest first.
type partials struct {
	keyContent string
	groups     map[partialKey]*partialGroup
	order      []*partialGroup
}

// isTrue reports whether a raw value is a string starting with "true",
// case-insensitively, as Fluent Bit reads the partial flags.
func isTrue(v []byte, ok bool) bool {
	if !ok {
		return false
	}
	s, ok := record.StringValue(v)
	return ok && len(s) >= 4 && bytes.EqualFold(s[:4], []byte("true"))
}

// filterPartial joins the pieces of split messages: a piece with
// partial_last true completes its message, which leaves in the batch in
// the last piece's place; records without partial metadata pass as they
// are. f.mu is held.
func (f *Filter) filterPartial(tag string, events []byte, out *record.Builder) (bool, error) {
	if f.pt.groups == nil {
		f.pt.groups = map[partialKey]*partialGroup{}
	}
	changed := false
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		if !isTrue(record.Lookup(ev.Body, partialMessageKey)) {
			out.AppendRaw(ev.Raw)
			continue
		}
		idv, ok := record.Lookup(ev.Body, partialIDKey)
		id, okID := record.StringValue(idv)
		tv, okText := record.Lookup(ev.Body, f.key)
		text, okStr := record.StringValue(tv)
		if !ok || !okID || !okText || !okStr {
			out.AppendRaw(ev.Raw) // cannot be joined: as it came
			continue
		}
		changed = true
		k := partialKey{tag, string(id)}
		g := f.pt.groups[k]
		if g == nil {
			g = f.newPartial(k, *ev)
			f.pt.groups[k] = g
			f.pt.order = append(f.pt.order, g)
		}
		g.text = append(g.text, text...)
		g.last = time.Now()
		if isTrue(record.Lookup(ev.Body, partialLastKey)) {
			f.pt.finish(g, out)
		}
	}
	return changed, it.Err()
}

// newPartial starts a split message with its first piece.
func (f *Filter) newPartial(k partialKey, ev record.Event) *partialGroup {
	g := &partialGroup{key: k, time: ev.Time, meta: append([]byte(nil), ev.Meta...)}
	_ = record.MapEntries(ev.Body, func(key, v []byte) bool {
		if string(key) == f.key || bytes.HasPrefix(key, []byte(partialPrefix)) {
			return true
		}
		g.pairs = msgp.AppendStringFromBytes(g.pairs, key)
		g.pairs = append(g.pairs, v...)
		g.n++
		return true
	})
	return g
}

// finish writes g's record to out and forgets g.
func (pt *partials) finish(g *partialGroup, out *record.Builder) {
	out.BeginEvent(g.time, g.meta)
	out.AppendMapHeader(g.n + 1)
	out.AppendRawValue(g.pairs)
	out.AppendString(pt.keyContent)
	out.AppendStringBytes(g.text)
	delete(pt.groups, g.key)
	for i, o := range pt.order {
		if o == g {
			pt.order = append(pt.order[:i], pt.order[i+1:]...)
			break
		}
	}
}

// flush writes the messages whose last piece came at least idle ago
// (every one when idle is 0) to sink.
func (pt *partials) flush(idle time.Duration, sink func(tag string) *record.Builder) {
	now := time.Now()
	for _, g := range append([]*partialGroup(nil), pt.order...) {
		if idle == 0 || now.Sub(g.last) >= idle {
			pt.finish(g, sink(g.key.tag))
		}
	}
}
