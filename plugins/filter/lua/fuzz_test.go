package lua

import (
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzRoundTrip passes any JSON record through the msgpack -> Lua -> msgpack
// conversion with a function that returns the record modified: the filter
// must not panic and must write only valid events.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":[1,2,{"c":null}],"d":{"e":1.5,"f":true},"g":""}`))
	f.Add([]byte(`{"1":"x","2":"y"}`))
	f.Add([]byte(`{"list":[],"m":{},"big":18446744073709551615,"neg":-9223372036854775808}`))
	flt, err := New(settings(f, "Name", "lua", "call", "cb", "type_int_key", "a", "type_array_key", "m",
		"code", `function cb(tag, ts, r) r.seen = true; return 1, ts, r end`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, js []byte) {
		var in record.Builder
		in.BeginEvent(record.Time(1e9), nil)
		if in.AppendJSONValue(js) != nil {
			return
		}
		if _, err := record.Count(in.Bytes()); err != nil {
			return // not a map: not a record
		}
		var out record.Builder
		if _, err := flt.Filter("t", in.Bytes(), &out); err != nil {
			return
		}
		if n, err := record.Count(out.Bytes()); err != nil || n != out.Records() {
			t.Fatalf("invalid output for %s: %v (%d/%d)", js, err, n, out.Records())
		}
	})
}
