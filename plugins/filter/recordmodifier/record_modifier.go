package recordmodifier

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"log/slog"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var _ plugin.Filter = (*Filter)(nil)

// Filter is the record_modifier filter. It holds only its configuration
// and is safe for concurrent use.
type Filter struct {
	logger  *slog.Logger
	records [][2]string
	// replaced holds the keys of Record and Uuid_key: a record's own field
	// of that name gives way to the new value.
	replaced map[string]struct{}
	// remove and allow are the Remove_key and Allowlist_key patterns; at
	// most one of them is set.
	remove, allow []keyPattern
	uuidKey       string
}

// keyPattern is a Remove_key or Allowlist_key value. As in Fluent Bit it
// matches case-insensitively, and a trailing * makes it a prefix.
type keyPattern struct {
	key    []byte
	prefix bool
}

func newPatterns(keys []string) []keyPattern {
	var out []keyPattern
	for _, k := range keys {
		p := keyPattern{key: []byte(k)}
		if len(k) > 1 && k[len(k)-1] == '*' {
			p.key, p.prefix = p.key[:len(k)-1], true
		}
		out = append(out, p)
	}
	return out
}

func matchAny(patterns []keyPattern, k []byte) bool {
	for _, p := range patterns {
		if p.prefix && len(k) >= len(p.key) && bytes.EqualFold(k[:len(p.key)], p.key) ||
			!p.prefix && bytes.EqualFold(k, p.key) {
			return true
		}
	}
	return false
}

// New returns a record_modifier filter configured by s.Config (see Spec).
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{logger: s.Logger, replaced: map[string]struct{}{}, uuidKey: c.String("Uuid_key")}
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	for _, w := range c.AllWords("Record") {
		f.records = append(f.records, [2]string{w[0], w[1]})
		f.replaced[w[0]] = struct{}{}
	}
	f.remove = newPatterns(c.All("Remove_key"))
	f.allow = newPatterns(append(c.All("Allowlist_key"), c.All("Whitelist_key")...))
	if len(f.allow) > 0 && len(f.remove) > 0 {
		return nil, c.Errorf("Allowlist_key", "Remove_key and Allowlist_key (or Whitelist_key) exclude each other; use one of them")
	}
	if f.uuidKey != "" {
		f.replaced[f.uuidKey] = struct{}{}
	}
	return f, nil
}

// keep reports whether a record's key k stays.
func (f *Filter) keep(k []byte) bool {
	if _, ok := f.replaced[string(k)]; ok {
		return false
	}
	if len(f.allow) > 0 {
		return matchAny(f.allow, k)
	}
	return !matchAny(f.remove, k)
}

// Filter rewrites every record of the batch into out.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	it := record.NewIterator(events)
	bad := 0
	for it.Next() {
		ev := it.Event()
		kept := 0
		if err := record.MapEntries(ev.Body, func(k, _ []byte) bool {
			if f.keep(k) {
				kept++
			}
			return true
		}); err != nil {
			out.AppendRaw(ev.Raw)
			bad++
			continue
		}
		extra := len(f.records)
		if f.uuidKey != "" {
			extra++
		}
		out.BeginEvent(ev.Time, ev.Meta)
		out.AppendMapHeader(kept + extra)
		record.MapEntries(ev.Body, func(k, v []byte) bool {
			if f.keep(k) {
				out.AppendStringBytes(k)
				out.AppendRawValue(v)
			}
			return true
		})
		for _, r := range f.records {
			out.AppendString(r[0])
			out.AppendString(r[1])
		}
		if f.uuidKey != "" {
			out.AppendString(f.uuidKey)
			out.AppendString(newUUID())
		}
	}
	if bad > 0 {
		f.logger.Warn("records passed unchanged: their body has a key that is not a string", "tag", tag, "records", bad)
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, err
	}
	return plugin.FilterModified, nil
}

// newUUID returns a random (version 4) UUID in its canonical text form.
func newUUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}
