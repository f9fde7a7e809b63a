package file

import (
	"context"
	"fmt"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// BenchmarkFormatPlain formats a 1000-record chunk in the plain format,
// without the file system.
func BenchmarkFormatPlain(b *testing.B) {
	o := newOutput(b, nil, "Format", "plain")
	events := make([]event, 1000)
	for i := range events {
		events[i] = event{time: t1 + record.Time(i), body: fmt.Sprintf(
			`{"level":"info","seq":%d,"msg":"request served","path":"/api/v1/items","status":200,"latency_ms":12.5}`, i)}
	}
	chunk := chunkOf(b, "app.bench", events...)
	b.SetBytes(int64(len(chunk.Data)))
	b.ReportAllocs()
	for b.Loop() {
		bp := getBuffer()
		buf, n, _, err := o.appendChunk((*bp)[:0], chunk)
		if err != nil || n != 1000 {
			b.Fatal(n, err)
		}
		*bp = buf
		putBuffer(bp)
	}
}

// BenchmarkFlushPlain adds opening, appending to and closing the file.
func BenchmarkFlushPlain(b *testing.B) {
	o := newOutput(b, nil, "Path", b.TempDir(), "File", "bench.log", "Format", "plain")
	events := make([]event, 1000)
	for i := range events {
		events[i] = event{time: t1, body: fmt.Sprintf(`{"level":"info","seq":%d,"msg":"request served","status":200}`, i)}
	}
	chunk := chunkOf(b, "app.bench", events...)
	b.SetBytes(int64(len(chunk.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Flush(context.Background(), chunk); err != nil {
			b.Fatal(err)
		}
	}
}
