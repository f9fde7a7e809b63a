package kubernetes

import (
	"os"
	"path/filepath"
	"testing"

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
		if _, _, err := record.AppendJSON(nil, meta); err != nil {
			t.Fatalf("invalid kubernetes map from %q: %v", data, err)
		}
		resolveProps(p.annotations, container, true, true)
	})
}

// FuzzMergeLog merges arbitrary log fields: the record written must always
// decode, with its map header matching its entries.
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
	})
}
