package kafka

import (
	"fmt"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func benchChunk(b *testing.B) *record.Chunk {
	bodies := make([]string, 1000)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"level":"info","seq":%d,"msg":"request served","path":"/api/v1/items","status":200,"latency_ms":12.5,"service":"svc-%d"}`, i, i%8)
	}
	data, n := plugintest.Events(b, bodies...)
	return &record.Chunk{Tag: "app", Data: data, Records: n}
}

// BenchmarkEncode measures what Flush does before the network: each
// record's value (json or msgpack, with the timestamp), key and topic,
// for a 1000-record chunk.
func BenchmarkEncode(b *testing.B) {
	for _, format := range []string{"json", "msgpack"} {
		b.Run(format, func(b *testing.B) {
			o := newOutput(b, "format", format, "message_key_field", "service", "topics", "logs,audit", "topic_key", "stream")
			chunk := benchChunk(b)
			b.SetBytes(int64(len(chunk.Data)))
			b.ReportAllocs()
			st := new(flushState)
			for b.Loop() {
				if err := o.encode(st, chunk); err != nil || len(st.records) != 1000 {
					b.Fatal(err)
				}
				st.buf, st.offsets, st.records, st.errs = st.buf[:0], st.offsets[:0], st.records[:0], st.errs[:0]
			}
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "records/s")
		})
	}
}
