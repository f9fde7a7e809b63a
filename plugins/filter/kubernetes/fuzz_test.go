package kubernetes

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzPodMeta decodes API responses and builds the kubernetes map from
// them: whatever the API sends, the map must be one valid msgpack value.
func FuzzPodMeta(f *testing.F) {
	for _, name := range []string{"pod_payments_api.json", "pod_frontend_api.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "api")
	}
	f.Add([]byte(`{"metadata":{"labels":null,"annotations":{"fluentbit.io/exclude-":"true"}},"status":{"containerStatuses":[{"name":"x","containerID":":"}]}}`), "x")
	ti, _ := parseTag(tagRegex(), "kube.var.log.containers.", apiTag, false)
	f.Fuzz(func(t *testing.T, data []byte, container string) {
		p, err := decodePod(data)
		if err != nil {
			return
		}
		ti := ti
		ti.container = container
		meta := appendPodMeta(nil, p, &ti, metaOptions{labels: true, annotations: true, ownerReferences: true})
		js, _, err := record.AppendJSON(nil, meta)
		if err != nil {
			t.Fatalf("invalid kubernetes map from %q: %v", data, err)
		}
		resolveProps(p.annotations, container, true, true)
		// Against encoding/json's generic reading of the response: the
		// map holds the pod's labels, annotations, uid, node and IP as the
		// API sent them (encoding/json matches struct fields in any case:
		// responses with other spellings are not compared).
		lower := strings.ToLower(string(data))
		for _, k := range []string{`"metadata"`, `"labels"`, `"annotations"`, `"uid"`, `"spec"`, `"nodeName"`, `"status"`, `"podIP"`} {
			if strings.Count(lower, strings.ToLower(k)) != strings.Count(string(data), k) {
				return
			}
		}
		var api map[string]any
		if json.Unmarshal(data, &api) != nil {
			return
		}
		get := func(path ...string) any {
			var v any = api
			for _, p := range path {
				m, ok := v.(map[string]any)
				if !ok {
					return nil
				}
				v = m[p]
			}
			return v
		}
		var got map[string]any
		if err := json.Unmarshal(js, &got); err != nil {
			t.Fatal(err)
		}
		for key, path := range map[string][]string{
			"labels": {"metadata", "labels"}, "annotations": {"metadata", "annotations"},
			"pod_id": {"metadata", "uid"}, "host": {"spec", "nodeName"}, "pod_ip": {"status", "podIP"},
		} {
			want := get(path...)
			if s, isStr := want.(string); (isStr && s == "") || want == nil {
				want = nil // left out
			}
			if w, g := normalJSON(mustJSON(want)), normalJSON(mustJSON(got[key])); w != g {
				t.Fatalf("%s: %s, the API says %s", key, g, w)
			}
		}
	})
}

// FuzzMergeLog merges arbitrary log fields: the record written must always
// decode, with its map header matching its entries, and hold what
// encoding/json says it should (see below).
func FuzzMergeLog(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"msg":"x\n"}` + "\n", `{}`, `[1]`, `{"a":`, `  {"a":"\\n"}`, "plain"} {
		f.Add(s, true, "")
		f.Add(s, false, "app")
	}
	f.Fuzz(func(t *testing.T, log string, keep bool, key string) {
		filter := &Filter{mergeLog: true, keepLog: keep, mergeTrim: true, mergeKey: key}
		var b record.Builder
		b.BeginEvent(1, nil)
		b.AppendMapHeader(2)
		b.AppendString("log")
		b.AppendString(log)
		b.AppendString("stream")
		b.AppendString("stdout")
		it := record.NewIterator(b.Bytes())
		if !it.Next() {
			t.Fatal(it.Err())
		}
		var out record.Builder
		scratch := make([]byte, 0, 64)
		filter.appendRecord(&out, it.Event(), []byte{0x80}, nil, nil, &scratch)
		if n, err := record.Count(out.Bytes()); err != nil || n != 1 {
			t.Fatalf("log %q: %d records, %v", log, n, err)
		}
		// Against encoding/json: a log that is a JSON object is merged
		// (its keys in order after the record's, under key when set,
		// string values only trimmed at the end), the log kept with
		// Keep_Log; anything else leaves the record as it was.
		type kv struct{ k, v string }
		var want []kv
		logKV, streamKV := kv{"log", jsonText(log)}, kv{"stream", `"stdout"`}
		merged, isObject := orderedJSONObject(log)
		switch {
		case !isObject:
			want = []kv{logKV, streamKV}
		case keep:
			want = []kv{logKV, streamKV}
		default:
			want = []kv{streamKV}
		}
		if isObject {
			switch {
			case key == "":
				for _, m := range merged {
					want = append(want, kv{m[0], m[1]})
				}
			case len(merged) > 0:
				want = append(want, kv{key, "(merged)"})
			}
		}
		want = append(want, kv{"kubernetes", "{}"})
		oit := record.NewIterator(out.Bytes())
		oit.Next()
		var got []kv
		record.MapEntries(oit.Event().Body, func(k, v []byte) bool {
			js, _, _ := record.AppendJSON(nil, v)
			got = append(got, kv{string(k), string(js)})
			return true
		})
		if len(got) != len(want) {
			t.Fatalf("log %q keep %v key %q: record %v, want %v", log, keep, key, got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if string([]rune(g.k)) != string([]rune(w.k)) { // encoding/json replaces invalid UTF-8
				t.Fatalf("log %q: key %d is %q, want %q (record %v)", log, i, g.k, w.k, got)
			}
			switch {
			case w.v == "(merged)":
			case isObject && i >= len(want)-1-len(merged) && strings.HasPrefix(w.v, `"`):
				// Merge_Log_Trim removes trailing newlines (and escaped ones).
				var gs, ws string
				if json.Unmarshal([]byte(g.v), &gs) != nil || json.Unmarshal([]byte(w.v), &ws) != nil || !strings.HasPrefix(ws, gs) {
					t.Fatalf("log %q: %s = %s, want a trim of %s", log, g.k, g.v, w.v)
				}
			case normalJSON(g.v) != normalJSON(w.v):
				t.Fatalf("log %q: %s = %s, want %s", log, g.k, g.v, w.v)
			}
		}
	})
}

// jsonText is s as a JSON string, as record.AppendJSON writes it.
func jsonText(s string) string {
	return string(record.AppendJSONString(nil, []byte(s)))
}

// orderedJSONObject reads s with encoding/json's tokens: the members of
// the object it holds (key and compact value, in order, duplicates kept),
// or false when s, less leading white space, is not one valid object
// (or nests too deep for records).
func orderedJSONObject(s string) ([][2]string, bool) {
	t := strings.TrimLeft(s, " \t\r\n")
	if !strings.HasPrefix(t, "{") || !json.Valid([]byte(s)) || strings.Count(s, "[")+strings.Count(s, "{") > 100 {
		return nil, false
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	d.Token() // {
	var out [][2]string
	for d.More() {
		k, _ := d.Token()
		var raw json.RawMessage
		if d.Decode(&raw) != nil {
			return nil, false
		}
		out = append(out, [2]string{k.(string), string(raw)})
	}
	return out, true
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// normalJSON re-encodes a JSON value as plugintest.JSONValue reads it, so
// that equal values compare equal.
func normalJSON(js string) string {
	v, ok := plugintest.JSONValue([]byte(js))
	if !ok {
		return "invalid " + js
	}
	b, _ := json.Marshal(v)
	return string(b)
}
