package storage

import (
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// benchBatch is 100 records of about 250 bytes, as in the engine's
// benchmark.
func benchBatch() ([]byte, int) {
	var b record.Builder
	for range 100 {
		b.BeginEvent(record.Now(), nil)
		b.AppendMapHeader(3)
		b.AppendString("log")
		b.AppendString(`2026-11-22T10:00:00.000Z INFO  request handled method=GET path=/api/v1/orders/12345 status=200 duration_ms=12 user_agent="Mozilla/5.0 (X11; Linux x86_64)" request_id=7f9c2a4e-1b2c-4d5e-8f90-123456789abc`)
		b.AppendString("stream")
		b.AppendString("stdout")
		b.AppendString("container_name")
		b.AppendString("orders-api")
	}
	return append([]byte(nil), b.Bytes()...), b.Records()
}

// BenchmarkAppend measures Chunk.Append, the write an Emit of a filesystem
// input waits for, per batch of 100 records: chunks of 80 batches (about
// 2 MiB, the engine's seal size) are sealed and delivered as it goes, so
// segments roll and are deleted as in steady state.
func BenchmarkAppend(b *testing.B) {
	for _, bc := range []struct {
		name     string
		sync     SyncMode
		checksum bool
	}{
		{"sync=normal", SyncNormal, false},
		{"sync=normal/checksum", SyncNormal, true},
		{"sync=full", SyncFull, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, _, err := Open(Options{Dir: b.TempDir(), Name: "bench", Sync: bc.sync, Checksum: bc.checksum})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			batch, n := benchBatch()
			outputs := []string{"out.0"}
			c := s.Create("app", outputs)
			appended := 0
			b.SetBytes(int64(len(batch)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Append(batch, n); err != nil {
					b.Fatal(err)
				}
				if appended++; appended == 80 {
					if err := c.Seal(); err != nil {
						b.Fatal(err)
					}
					c.Done("out.0")
					c, appended = s.Create("app", outputs), 0
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkLoad measures reading a sealed 2 MiB chunk back (a backlog or
// down chunk), CRC verified.
func BenchmarkLoad(b *testing.B) {
	s, _, err := Open(Options{Dir: b.TempDir(), Name: "bench", Checksum: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	batch, n := benchBatch()
	c := s.Create("app", []string{"out.0"})
	for range 80 {
		if err := c.Append(batch, n); err != nil {
			b.Fatal(err)
		}
	}
	buf := make([]byte, 0, 80*len(batch))
	b.SetBytes(int64(80 * len(batch)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = c.Load(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
