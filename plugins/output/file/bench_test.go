package file

import (
	"context"
	"fmt"
	"os"
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
	var buf []byte
	for b.Loop() {
		buf = buf[:0]
		it := record.NewIterator(chunk.Data)
		n := 0
		for it.Next() {
			var err error
			if buf, err = o.appendRecord(buf, chunk.Tag, it.Event()); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 1000 {
			b.Fatal(n)
		}
	}
}

// BenchmarkFlush adds the file: opening (kept open between flushes),
// formatting in pieces and appending, for a 1000-record chunk and for a
// sealed-size chunk of 2 MiB (8,000 records of ~250 bytes), whose text is
// written in pieces of pieceSize.
func BenchmarkFlush(b *testing.B) {
	for _, tc := range []struct {
		name, format string
		records      int
	}{
		{"plain/1000", "plain", 1000},
		{"out_file/1000", "out_file", 1000},
		{"out_file/2MiB", "out_file", 8000},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := b.TempDir()
			o := newOutput(b, nil, "Path", dir, "File", "bench.log", "Format", tc.format)
			events := make([]event, tc.records)
			for i := range events {
				events[i] = event{time: t1, body: fmt.Sprintf(`{"log":"2026-12-01T10:00:00.000Z INFO request handled method=GET path=/api/v1/orders/%08d status=200 duration_ms=12 user_agent=\"Mozilla/5.0 (X11; Linux x86_64)\"","stream":"stdout","seq":%d}`, i, i)}
			}
			chunk := chunkOf(b, "app.bench", events...)
			b.SetBytes(int64(len(chunk.Data)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if err := o.Flush(context.Background(), chunk); err != nil {
					b.Fatal(err)
				}
				if n++; n%64 == 0 { // keep the file small
					os.Truncate(dir+"/bench.log", 0)
				}
			}
			b.ReportMetric(float64(b.N*tc.records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
