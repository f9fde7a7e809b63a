package file

import (
	"strings"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/plugins/output/stdout"
	"github.com/tinylib/msgp/msgp"
)

// template is a parsed Template: literal text and {key} placeholders.
type template []segment

// segment is literal text, or a placeholder when key is set.
type segment struct {
	text string // the literal, or the placeholder as written ("{key}")
	key  string
}

// parseTemplate splits s the way Fluent Bit's template_output scans it: a
// '{' opens a placeholder that the next '}' closes; a second '{' before
// that turns the first one and what follows it into literal text; an
// unclosed '{' is literal. "{}" is literal too.
func parseTemplate(s string) template {
	var t template
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t = append(t, segment{text: lit.String()})
			lit.Reset()
		}
	}
	brace := -1 // position of the open brace, if any
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{':
			if brace >= 0 { // "{a{b}": "{a" is text
				lit.WriteString(s[brace:i])
			}
			brace = i
		case c == '}' && brace >= 0:
			if key := s[brace+1 : i]; key != "" {
				flush()
				t = append(t, segment{text: s[brace : i+1], key: key})
			} else {
				lit.WriteString("{}")
			}
			brace = -1
		case brace < 0:
			lit.WriteByte(c)
		}
	}
	if brace >= 0 {
		lit.WriteString(s[brace:])
	}
	flush()
	return t
}

// appendTemplate writes one record through t and a newline. {time} is the
// record time as "%f" seconds; {key} is the body's value of key, a string
// as it is and any other value as msgpack-c prints it; a key the body lacks
// is written as the placeholder itself.
func appendTemplate(dst []byte, t template, ev *record.Event) ([]byte, error) {
	for _, s := range t {
		switch {
		case s.key == "":
			dst = append(dst, s.text...)
			continue
		case s.key == "time":
			dst = stdout.AppendCFloat(dst, timeDouble(ev.Time))
			continue
		}
		v, ok := record.Lookup(ev.Body, s.key)
		if !ok {
			dst = append(dst, s.text...)
			continue
		}
		if msgp.NextType(v) == msgp.StrType {
			str, _ := record.StringValue(v)
			dst = append(dst, str...)
			continue
		}
		var err error
		if dst, _, err = stdout.AppendPrinted(dst, v); err != nil {
			return dst, err
		}
	}
	return append(dst, '\n'), nil
}
