package kafka

import (
	"encoding/json"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/twmb/franz-go/pkg/kgo"
)

// FuzzAppendRecord turns any Kafka message (key, value, with format json
// and none) into an event: it must decode as exactly one valid event whose
// body converts to valid JSON.
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
		js, _, err := record.AppendJSON(nil, it.Event().Body)
		if err != nil || !json.Valid(js) {
			t.Fatalf("body %q: %v", js, err)
		}
	})
}
