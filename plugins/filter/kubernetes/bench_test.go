package kubernetes

import (
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// BenchmarkFilter is the cost of enriching a batch of 100 container log
// records of one pod whose metadata is cached (the steady state of a
// node): per-record cost is ns/op / 100.
func BenchmarkFilter(b *testing.B) {
	line := `{"log":"10.0.3.1 - - [30/Nov/2026:08:12:44 +0000] \"GET /api/v1/payments HTTP/1.1\" 200 512 \"-\" \"curl/8.5\"\n","stream":"stdout","time":"2026-11-30T08:12:44.123456789Z"}`
	jsonLine := `{"log":"{\"level\":\"info\",\"msg\":\"payment accepted\",\"amount\":1250,\"currency\":\"EUR\"}\n","stream":"stdout","time":"2026-11-30T08:12:44.123456789Z"}`
	for _, bc := range []struct {
		name   string
		line   string
		params []string
	}{
		{"plain", line, nil},
		{"merge_log", jsonLine, []string{"Merge_Log", "on", "Keep_Log", "off"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			api := newFakeAPI(b, false)
			f := mustFilter(b, api, bc.params...)
			bodies := make([]string, 100)
			for i := range bodies {
				bodies[i] = bc.line
			}
			in := events(b, bodies...)
			var out record.Builder
			if _, err := f.Filter(apiTag, in, &out); err != nil { // warm the cache
				b.Fatal(err)
			}
			if !strings.Contains(string(out.Bytes()), "container_image") {
				b.Fatal("no metadata after warm-up")
			}
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				if _, err := f.Filter(apiTag, in, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
