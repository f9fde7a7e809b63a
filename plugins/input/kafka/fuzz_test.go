package kafka

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/twmb/franz-go/pkg/kgo"
)

// FuzzAppendRecord turns any Kafka message (key, value, with format json
// and none) into an event: it must decode as exactly one valid event whose
// body converts to valid JSON and holds the message's topic, partition,
// offset, key and value (read as JSON, per encoding/json, with format json).
func FuzzAppendRecord(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `not json`, `[1,2]`, `"str"`, "\xff\xfe", ``, `{"a":`} {
		f.Add([]byte("key"), []byte(s), true)
	}
	f.Add([]byte(nil), []byte(nil), false)
	inputs := map[bool]*Input{}
	for _, format := range []string{"json", "none"} {
		in, err := New(plugintest.Settings(f, Spec(), "brokers", "b:9092", "topics", "t", "format", format))
		if err != nil {
			f.Fatal(err)
		}
		inputs[format == "json"] = in
	}
	f.Fuzz(func(t *testing.T, key, value []byte, asJSON bool) {
		var b record.Builder
		inputs[asJSON].appendRecord(&b, record.Now(), &kgo.Record{Topic: "t", Partition: 2, Offset: 7, Key: key, Value: value})
		if n, err := record.Count(b.Bytes()); err != nil || n != 1 {
			t.Fatalf("%d events, %v", n, err)
		}
		it := record.NewIterator(b.Bytes())
		it.Next()
		body := it.Event().Body
		js, _, err := record.AppendJSON(nil, body)
		if err != nil || !json.Valid(js) {
			t.Fatalf("body %q: %v", js, err)
		}
		// The record says where the message came from and holds its key
		// and value: the value decoded with format json when it is JSON
		// (checked with encoding/json), else byte for byte.
		for k, want := range map[string]string{"topic": `"t"`, "partition": "2", "offset": "7", "error": "null"} {
			if v, ok := record.Lookup(body, k); !ok || string(jsonOf(t, v)) != want {
				t.Fatalf("%s = %s, want %s", k, jsonOf(t, v), want)
			}
		}
		for k, want := range map[string][]byte{"key": key, "payload": value} {
			v, ok := record.Lookup(body, k)
			if !ok {
				t.Fatalf("no %s", k)
			}
			if want == nil {
				if string(jsonOf(t, v)) != "null" {
					t.Fatalf("%s = %s, want null", k, jsonOf(t, v))
				}
				continue
			}
			deep := bytes.Count(value, []byte("["))+bytes.Count(value, []byte("{")) > 100 // maybe over the depth limit: kept as text
			if k == "payload" && asJSON && json.Valid(value) && !deep {
				if a, _ := plugintest.JSONValue(value); !reflect.DeepEqual(a, plugintest.MustJSONValue(t, jsonOf(t, v))) {
					t.Fatalf("payload %s, the message's JSON %v", jsonOf(t, v), a)
				}
				continue
			}
			if s, ok := record.StringValue(v); !ok || !bytes.Equal(s, want) {
				t.Fatalf("%s = %q, want %q", k, s, want)
			}
		}
	})
}

func jsonOf(t *testing.T, v []byte) []byte {
	js, _, err := record.AppendJSON(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return js
}
