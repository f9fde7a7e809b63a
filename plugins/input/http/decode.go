package http

import (
	"errors"
	"fmt"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/record"
)

// batch is the records of one request, grouped by tag in the order the
// tags first appear.
type batch struct {
	tags   []string
	by     map[string]*record.Builder
	body   []byte
	remote string // REMOTE_ADDR, with add_remote_addr
}

func (b *batch) reset() {
	b.tags = b.tags[:0]
	for k := range b.by {
		delete(b.by, k)
	}
}

func (b *batch) builder(tag string) *record.Builder {
	if b.by == nil {
		b.by = map[string]*record.Builder{}
	}
	bl, ok := b.by[tag]
	if !ok {
		bl = new(record.Builder)
		b.by[tag] = bl
		b.tags = append(b.tags, tag)
	}
	return bl
}

var errNotObject = errors.New("the body must be a JSON object or an array of objects")

// decode parses a JSON body (an object or an array of objects) into b,
// under tag or, with tagKey, the record's string value at that key. On
// error b holds nothing the caller should emit.
func (b *batch) decode(js []byte, tag, tagKey string, now record.Time) error {
	return b.decodeWith(js, tag, tagKey, "", now)
}

// decodeWith is decode that adds REMOTE_ADDR: remote to every record when
// remote is not empty (add_remote_addr).
func (b *batch) decodeWith(js []byte, tag, tagKey, remote string, now record.Time) error {
	b.remote = remote
	b.reset()
	var err error
	b.body, err = record.AppendJSONAsMsgpack(b.body[:0], js)
	if err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if msgp.NextType(b.body) == msgp.MapType {
		b.add(b.body, tag, tagKey, now)
		return nil
	}
	n, rest, err := msgp.ReadArrayHeaderBytes(b.body)
	if err != nil {
		return errNotObject
	}
	for i := uint32(0); i < n; i++ {
		if msgp.NextType(rest) != msgp.MapType {
			b.reset()
			return fmt.Errorf("%w: element %d is not an object", errNotObject, i)
		}
		after, err := msgp.Skip(rest)
		if err != nil {
			b.reset()
			return fmt.Errorf("invalid JSON: %v", err)
		}
		b.add(rest[:len(rest)-len(after)], tag, tagKey, now)
		rest = after
	}
	return nil
}

func (b *batch) add(m []byte, tag, tagKey string, now record.Time) {
	if tagKey != "" {
		if v, ok := record.Lookup(m, tagKey); ok {
			if s, ok := record.StringValue(v); ok && len(s) > 0 {
				tag = string(s)
			}
		}
	}
	bl := b.builder(tag)
	if b.remote == "" {
		bl.Append(now, nil, m)
		return
	}
	n, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		bl.Append(now, nil, m)
		return
	}
	bl.BeginEvent(now, nil)
	bl.AppendMapHeader(int(n) + 1)
	bl.AppendRawValue(rest)
	bl.AppendString("REMOTE_ADDR")
	bl.AppendString(b.remote)
}

// tagFromPath is Fluent Bit's tag of a request path: the path without its
// leading slash, with characters other than letters, digits, '.', '_'
// and '-' replaced by '_'; "" for "/".
func tagFromPath(p string) string {
	if len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	out := []byte(p)
	for i, c := range out {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			out[i] = '_'
		}
	}
	return string(out)
}
