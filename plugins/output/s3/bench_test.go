package s3

import (
	"context"
	"testing"
)

// BenchmarkFlush measures buffering a chunk of 2,000 1 KB records into
// store_dir (serialising with json_date_key and appending to the buffer
// file); uploads go to an in-memory S3 and are not timed apart.
func BenchmarkFlush(b *testing.B) {
	for _, mode := range []struct {
		name string
		kv   []string
	}{
		{"json_date_key", []string{"json_date_key", "date"}},
		{"gzip", []string{"compression", "gzip"}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			o := newOutputB(b, newMemS3(), b.TempDir(), append([]string{"upload_timeout", "1h", "total_file_size", "1G"}, mode.kv...)...)
			c := lines(0, 2000, 1000)
			b.SetBytes(int64(len(c.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := o.Flush(context.Background(), c); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			o.Close(context.Background())
		})
	}
}
