package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzGELF encodes any JSON record as GELF and checks the message against
// the record read with encoding/json: valid JSON; version 1.1; the mapped
// key as short_message; every other key as an additional field "_key",
// nested objects flattened with "_"; the record time as timestamp; and a
// record without the short_message key refused with errNoShortMessage.
func FuzzGELF(f *testing.F) {
	f.Add([]byte(`{"short_message":"x","a":{"b":{"c":1}},"level":3}`))
	f.Add([]byte(`{"log":"x","host":"h","timestamp":1.5}`))
	f.Add([]byte(`{"log":"x","a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":1}}}}}}}}},"e":[1,{"x":2}],"s":"\u00e9\n"}`))
	f.Add([]byte(`{"n":1}`))
	f.Add([]byte(`{"log":"x","big":1e400,"m":{"n":-1e400}}`))
	f.Fuzz(func(t *testing.T, js []byte) {
		body, err := record.AppendJSONAsMsgpack(nil, js)
		if err != nil {
			return
		}
		var b record.Builder
		b.Append(record.Time(1_500_000_000), nil, body)
		it := record.NewIterator(b.Bytes())
		for it.Next() {
			out, err := appendGELF(nil, it.Event(), &gelfKeys{short: "log"})
			want, ok := referenceGELF(js)
			if !ok {
				continue // not an object, or duplicate names: only validity is checked
			}
			if err != nil {
				if _, hasLog := want["short_message"]; hasLog || !errors.Is(err, errNoShortMessage) {
					t.Fatalf("%s: %v", js, err)
				}
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("%s: GELF %q is not valid JSON", js, out)
			}
			got, _ := referenceGELF(out)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: GELF %s, want the fields %v", js, out, want)
			}
		}
	})
}

// referenceGELF reads a JSON object with encoding/json's tokens and
// returns the GELF fields it should give: version, short_message from
// "log", host/full_message/level/timestamp under their own names, others
// prefixed with "_" and nested objects flattened up to 8 levels, and the
// record time (1.5 s) as timestamp when there is none. On the GELF output
// itself (keys already mapped) it returns its fields. ok is false when
// js is not an object or two fields would share a name.
func referenceGELF(js []byte) (fields map[string]string, ok bool) {
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	fields = map[string]string{}
	isOutput := bytes.HasPrefix(js, []byte(`{"version":"1.1"`))
	var walk func(prefix string, depth int) bool
	walk = func(prefix string, depth int) bool {
		for d.More() {
			tok, err := d.Token()
			if err != nil {
				return false
			}
			key := tok.(string)
			name := prefix + "_" + key
			switch {
			case isOutput || prefix == "" && (key == "host" || key == "full_message" || key == "level" || key == "timestamp"):
				name = key
			case prefix == "" && key == "log":
				name = "short_message"
			}
			if !isOutput && depth < 8 {
				if peek, _ := d.Token(); peek == json.Delim('{') {
					if !walk(name, depth+1) {
						return false
					}
					if _, err := d.Token(); err != nil { // the closing brace
						return false
					}
					continue
				} else if err := putValue(fields, name, peek, d); err != nil {
					return false
				}
				continue
			}
			var raw json.RawMessage
			if d.Decode(&raw) != nil {
				return false
			}
			if _, dup := fields[name]; dup {
				return false
			}
			fields[name] = normalJSON(raw)
		}
		return true
	}
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') || !walk("", 0) {
		return nil, false
	}
	if _, err := d.Token(); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, false
	}
	if !isOutput {
		if _, dup := fields["version"]; dup {
			return nil, false
		}
		fields["version"] = `"1.1"`
		if _, has := fields["timestamp"]; !has {
			fields["timestamp"] = "1.5"
		}
	}
	return fields, true
}

// putValue stores the value whose first token is tok (the rest read from
// d) under name.
func putValue(fields map[string]string, name string, tok json.Token, d *json.Decoder) error {
	if _, dup := fields[name]; dup {
		return errors.New("duplicate")
	}
	var v any = tok
	if tok == json.Delim('[') {
		var elems []any
		for d.More() {
			var e any
			if err := d.Decode(&e); err != nil {
				return err
			}
			elems = append(elems, e)
		}
		if _, err := d.Token(); err != nil {
			return err
		}
		v = elems
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	fields[name] = normalJSON(raw)
	return nil
}

// normalJSON re-encodes a JSON value as plugintest.JSONValue reads it, so
// that 1, 1.0 and 1e0 compare equal.
func normalJSON(raw []byte) string {
	v, ok := plugintest.JSONValue(raw)
	if !ok {
		return fmt.Sprintf("invalid %q", raw)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
