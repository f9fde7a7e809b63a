package plugintest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// JSONValue decodes one JSON document with encoding/json as a record
// compares after its trip through msgpack: numbers as float64, and numbers
// beyond float64 as nil (record.AppendJSONAsMsgpack makes them infinities,
// which record.AppendJSON writes as null). It is the oracle of the fuzz
// targets that check records against encoding/json's reading of their
// source; ok is false when js does not start with a valid JSON value.
func JSONValue(js []byte) (v any, ok bool) {
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	return floatNumbers(v), true
}

func floatNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return nil // out of range
		}
		return f
	case map[string]any:
		for k, e := range v {
			v[k] = floatNumbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = floatNumbers(e)
		}
	}
	return v
}

// MustJSONValue is JSONValue that fails the test when js is not JSON.
func MustJSONValue(t testing.TB, js []byte) any {
	t.Helper()
	v, ok := JSONValue(js)
	if !ok {
		t.Fatalf("%q is not JSON", js)
	}
	return v
}
