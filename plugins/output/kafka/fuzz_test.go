package kafka

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzAppendValue feeds any record body (given as JSON, converted to
// msgpack as inputs do) through the json and msgpack encoders: the JSON
// message must always be valid JSON, and the msgpack message one map; and
// both must hold the record's fields and its time under @timestamp, as
// encoding/json reads them.
func FuzzAppendValue(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"log":"line\n","n":[1,2.5,null,true]}`, `{"k":{"nested":{"x":"\u00e9\u0000"}}}`, `{"@timestamp":"dup"}`} {
		f.Add(s, int64(1704067200_123456789))
	}
	jsonOut := newOutput(f)
	msgpackOut := newOutput(f, "format", "msgpack", "timestamp_format", "iso8601_ns")
	f.Fuzz(func(t *testing.T, js string, at int64) {
		body, err := record.AppendJSONAsMsgpack(nil, []byte(js))
		if err != nil || len(body) == 0 || body[0]&0xf0 != 0x80 && body[0] != 0xde && body[0] != 0xdf {
			return // not a JSON object: inputs never emit such a body
		}
		var b record.Builder
		b.Append(record.Time(at), nil, body)
		it := record.NewIterator(b.Bytes())
		if !it.Next() {
			return
		}
		v, err := jsonOut.encoder.appendValue(nil, it.Event())
		if err != nil {
			t.Fatalf("json: %v", err)
		}
		if !json.Valid(v) {
			t.Fatalf("invalid JSON %q from %s", v, js)
		}
		m, err := msgpackOut.encoder.appendValue(nil, it.Event())
		if err != nil {
			t.Fatalf("msgpack: %v", err)
		}
		mjs, rest, err := record.AppendJSON(nil, m)
		if err != nil || len(rest) != 0 {
			t.Fatalf("msgpack value of %s is not one value: %v, %d bytes left", js, err, len(rest))
		}
		// Both messages are the record with the time under @timestamp
		// (the record's own @timestamp, written after it, wins), read
		// with encoding/json.
		want := plugintest.MustJSONValue(t, []byte(js)).(map[string]any)
		tm := record.Time(at)
		if _, own := want["@timestamp"]; !own {
			want["@timestamp"] = tm.Float()
		}
		if got := plugintest.MustJSONValue(t, v); !reflect.DeepEqual(got, want) {
			t.Fatalf("json message %s, want %v", v, want)
		}
		if _, own := plugintest.MustJSONValue(t, []byte(js)).(map[string]any)["@timestamp"]; !own {
			u := tm.Std().UTC()
			want["@timestamp"] = fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), u.Nanosecond())
		}
		if got := plugintest.MustJSONValue(t, mjs); !reflect.DeepEqual(got, want) {
			t.Fatalf("msgpack message %s, want %v", mjs, want)
		}
	})
}
