package stdout

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// benchChunk is 1000 records shaped like a typical application log line.
func benchChunk(b *testing.B) *record.Chunk {
	events := make([]event, 1000)
	for i := range events {
		events[i] = event{time: t1 + record.Time(i), body: fmt.Sprintf(
			`{"level":"info","seq":%d,"msg":"request served","path":"/api/v1/items","status":200,"latency_ms":12.5}`, i)}
	}
	return chunkOf(b, "app.bench", events...)
}

func benchmarkFormat(b *testing.B, format string) {
	var discard bytes.Buffer
	o := newOutput(b, &discard, "Format", format)
	o.w = io.Discard
	chunk := benchChunk(b)
	b.SetBytes(int64(len(chunk.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Flush(context.Background(), chunk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlushJSONLines formats and writes a 1000-record chunk.
func BenchmarkFlushJSONLines(b *testing.B) { benchmarkFormat(b, "json_lines") }

// BenchmarkFlushMsgpack is the default, human-readable form.
func BenchmarkFlushMsgpack(b *testing.B) { benchmarkFormat(b, "msgpack") }
