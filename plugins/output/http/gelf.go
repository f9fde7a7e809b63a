package http

import (
	"errors"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/record"
)

// gelfKeys are the record keys that hold GELF's own fields (gelf_*_key);
// an empty one means the GELF name itself.
type gelfKeys struct {
	timestamp, host, short, full, level string
}

// gelfField returns the GELF field a top-level record key maps to, or ""
// for an additional field.
func (g *gelfKeys) field(k []byte) string {
	for _, f := range [...]struct{ key, name string }{
		{g.short, "short_message"}, {g.host, "host"}, {g.full, "full_message"},
		{g.level, "level"}, {g.timestamp, "timestamp"},
	} {
		if (f.key != "" && string(k) == f.key) || (f.key == "" && string(k) == f.name) {
			return f.name
		}
	}
	return ""
}

var errNoShortMessage = errors.New("gelf: the record has no short_message (set gelf_short_message_key to the key of the message)")

// appendGELF writes ev as a GELF 1.1 message, as Fluent Bit's
// flb_msgpack_to_gelf does: version first, the mapped fields under their
// GELF names, every other key as an additional field "_key" (nested maps
// flattened with "_"), and the record time as timestamp unless a
// timestamp key holds one. A record without short_message is an error.
func appendGELF(dst []byte, ev *record.Event, g *gelfKeys) ([]byte, error) {
	start := len(dst)
	dst = append(dst, `{"version":"1.1"`...)
	short, stamp := false, false
	err := record.MapEntries(ev.Body, func(key, v []byte) bool {
		switch name := g.field(key); name {
		case "":
			dst = appendGELFExtra(dst, append([]byte{'_'}, key...), v, 0)
			return true
		case "short_message":
			short = true
			fallthrough
		default:
			if name == "timestamp" {
				stamp = true
			}
			dst = append(dst, `,"`...)
			dst = append(dst, name...)
			dst = append(dst, `":`...)
			dst, _, _ = record.AppendJSON(dst, v)
		}
		return true
	})
	if err != nil {
		return dst[:start], err
	}
	if !short {
		return dst[:start], errNoShortMessage
	}
	if !stamp {
		dst = append(dst, `,"timestamp":`...)
		dst = httpout.AppendDate(dst, ev.Time, httpout.DateDouble)
	}
	return append(dst, '}'), nil
}

// appendGELFExtra writes an additional field, flattening maps.
func appendGELFExtra(dst, name, v []byte, depth int) []byte {
	if msgp.NextType(v) == msgp.MapType && depth < 8 {
		record.MapEntries(v, func(k, sub []byte) bool {
			n := append(append(append([]byte(nil), name...), '_'), k...)
			dst = appendGELFExtra(dst, n, sub, depth+1)
			return true
		})
		return dst
	}
	dst = append(dst, ',')
	dst = record.AppendJSONString(dst, name)
	dst = append(dst, ':')
	dst, _, _ = record.AppendJSON(dst, v)
	return dst
}
