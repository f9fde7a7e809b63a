package forward

import (
	"fmt"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// BenchmarkEncode turns a chunk of 1000 FireLens-shaped records into one
// forward message, plain and gzip-compressed.
func BenchmarkEncode(b *testing.B) {
	var bld record.Builder
	for i := 0; i < 1000; i++ {
		bld.BeginEvent(record.Time(1700000000_000000000+int64(i)), nil)
		bld.AppendJSONValue([]byte(fmt.Sprintf(`{"container_id":"3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e","container_name":"/ecs-webapp-1","source":"stdout","log":"10.0.1.%d - - [01/Dec/2026:05:00:00 +0000] \"GET /index.html?seq=%08d HTTP/1.1\" 200 615"}`, i%250, i)))
	}
	chunk := &record.Chunk{Tag: "webapp-firelens-task", Data: bld.Bytes(), Records: bld.Records()}
	for _, tc := range []struct {
		name string
		enc  encoding
	}{{"packed", encoding{sendOptions: true}}, {"gzip", encoding{sendOptions: true, compress: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			var bufs buffers
			id := newChunkID()
			b.SetBytes(int64(len(chunk.Data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := tc.enc.encode(&bufs, chunk.Tag, chunk, id); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "records/s")
		})
	}
}
