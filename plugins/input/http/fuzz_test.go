package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzDecode checks the JSON body decoder against encoding/json: it
// accepts exactly the bodies that are a valid object or array of objects
// (less those nested beyond the depth limit), every record it emits is one
// of the body's objects, in order, under the tag of its tag_key, and its
// errors say what is wrong.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`[{"svc":"a","n":1},{"n":2}]`))
	f.Add([]byte(`{"a":{"b":[1,2,"x"]}}`))
	f.Add([]byte(`[{"svc":"a","svc":"b"},{"svc":""},{"svc":7},{"svc":"a","x":1e400}]`))
	f.Add([]byte(`[{}, 1]`))
	f.Fuzz(func(t *testing.T, js []byte) {
		var b batch
		err := b.decode(js, "t", "svc", 1)
		want, oracleErr := httpReference(js)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "invalid JSON") && !errors.Is(err, errNotObject) {
				t.Fatalf("error %q does not say what is wrong", msg)
			}
			if oracleErr == nil && !strings.Contains(err.Error(), "deep") {
				t.Fatalf("%q refused (%v), encoding/json reads %d objects", js, err, len(want))
			}
			return
		}
		if oracleErr != nil {
			t.Fatalf("%q accepted, encoding/json says %v", js, oracleErr)
		}
		got := map[string][]any{}
		n := 0
		for _, tag := range b.tags {
			bl := b.by[tag]
			if c, err := record.Count(bl.Bytes()); err != nil || c != bl.Records() {
				t.Fatalf("tag %q: events do not decode: %v", tag, err)
			}
			for it := record.NewIterator(bl.Bytes()); it.Next(); n++ {
				ev := it.Event()
				if ev.Time != 1 {
					t.Fatalf("time %d, want the request's", ev.Time)
				}
				js, _, err := record.AppendJSON(nil, ev.Body)
				if err != nil {
					t.Fatal(err)
				}
				v, ok := plugintest.JSONValue(js)
				if !ok {
					t.Fatalf("record %s is not JSON", js)
				}
				got[tag] = append(got[tag], v)
			}
		}
		if n != len(want) {
			t.Fatalf("%d records, the body has %d objects", n, len(want))
		}
		// Compare record by record in the body's order, within each tag.
		next := map[string]int{}
		for i, w := range want {
			tag := "t"
			if s, ok := w["svc"].(string); ok && s != "" {
				tag = s
			}
			var g any
			if next[tag] < len(got[tag]) {
				g = got[tag][next[tag]]
			}
			// encoding/json rewrites invalid UTF-8 and keeps the last of
			// duplicate keys, the decoder takes the first tag_key: then the
			// record may be under another tag.
			if !reflect.DeepEqual(g, any(w)) && (!utf8.Valid(js) || bytes.Count(js, []byte(`"svc"`)) > 1) {
				for k, rs := range got {
					if next[k] < len(rs) && reflect.DeepEqual(rs[next[k]], any(w)) {
						g, tag = rs[next[k]], k
						break
					}
				}
			}
			if !reflect.DeepEqual(g, any(w)) {
				t.Fatalf("object %d %v: record under tag %q is %v", i, w, tag, g)
			}
			next[tag]++
		}
	})
}

// httpReference reads a body with encoding/json: the objects of an object
// or array of objects, as plugintest.JSONValue reads them.
func httpReference(js []byte) ([]map[string]any, error) {
	if !json.Valid(js) {
		return nil, errors.New("invalid JSON")
	}
	v, ok := plugintest.JSONValue(js)
	if !ok {
		return nil, errors.New("invalid JSON")
	}
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}, nil
	case []any:
		var objs []map[string]any
		for i, e := range v {
			o, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("element %d is not an object", i)
			}
			objs = append(objs, o)
		}
		return objs, nil
	}
	return nil, errors.New("not an object")
}
