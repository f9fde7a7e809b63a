package stdin

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// FuzzStdinLine feeds arbitrary lines to decodeLine and checks that it never
// panics, appends exactly one valid record or none, and keeps text lines
// byte for byte.
func FuzzStdinLine(f *testing.F) {
	for _, seed := range []string{
		`{"key": "value"}`,
		`[1700000000, {"a": 1}]`,
		`[1700000000.123, {"a": [1, 2, {"b": null}]}]`,
		`[[1700000000, {"m": 1}], {"a": 1}]`,
		`[[1700000000], {"a": 1}]`,
		`[[1700000000, {}, "extra"], {}]`,
		`[1e300, {}]`,
		`[-1e300, {}]`,
		`[NaN, {}]`,
		`[1, 2, 3]`,
		`["x", {}]`,
		`{"broken": `,
		`plain text`,
		"\xff\xfe invalid utf-8",
		"   ",
		"{}\r",
		`"string"`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var b record.Builder
		b.Append(1, nil, []byte{0x80}) // a record before, which must stay intact
		before := append([]byte(nil), b.Bytes()...)
		kind, _, err := decodeLine(&b, nil, line, 42)

		switch kind {
		case lineBlank, lineInvalid:
			if !bytes.Equal(b.Bytes(), before) || b.Records() != 1 {
				t.Fatalf("kind %d appended bytes", kind)
			}
			if (kind == lineInvalid) != (err != nil) {
				t.Fatalf("kind %d with error %v", kind, err)
			}
			return
		case lineJSON, lineText:
			if err != nil {
				t.Fatalf("kind %d with error %v", kind, err)
			}
		default:
			t.Fatalf("unknown kind %d", kind)
		}
		if b.Records() != 2 || !bytes.HasPrefix(b.Bytes(), before) {
			t.Fatalf("want one record appended, builder has %d", b.Records())
		}
		ev, rest, err := record.DecodeEvent(b.Bytes()[len(before):])
		if err != nil || len(rest) != 0 {
			t.Fatalf("appended record does not decode: %v (%d bytes left)", err, len(rest))
		}
		if msgp.NextType(ev.Body) != msgp.MapType {
			t.Fatal("body is not a map")
		}
		if _, _, err := record.AppendJSON(nil, ev.Body); err != nil {
			t.Fatalf("body does not convert to JSON: %v", err)
		}
		trimmed := bytes.TrimSuffix(line, []byte{'\r'})
		if kind == lineText {
			v, ok := record.Lookup(ev.Body, "log")
			s, isStr := record.StringValue(v)
			if !ok || !isStr || !bytes.Equal(s, trimmed) {
				t.Fatalf("text record log = %q, want %q", s, trimmed)
			}
			if ev.Time != 42 {
				t.Fatalf("text record time %d, want the read time", ev.Time)
			}
		}
		// Every line that is a valid JSON object must become that object.
		if obj := bytes.TrimLeft(trimmed, " \t\r\n"); len(obj) > 0 && obj[0] == '{' && json.Valid(obj) && kind != lineJSON {
			t.Fatalf("valid JSON object kept as text")
		}
	})
}
