package kafka

import (
	"fmt"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkAppendRecord measures turning 1000 polled messages of ~120 bytes
// into events, with format json (the value parsed) and none.
func BenchmarkAppendRecord(b *testing.B) {
	recs := make([]*kgo.Record, 1000)
	size := 0
	for i := range recs {
		recs[i] = &kgo.Record{Topic: "logs", Partition: int32(i % 6), Offset: int64(i), Key: fmt.Appendf(nil, "svc-%d", i%8),
			Value: fmt.Appendf(nil, `{"@timestamp":1704067200.123,"level":"info","seq":%d,"msg":"request served","status":200}`, i)}
		size += len(recs[i].Value)
	}
	for _, format := range []string{"json", "none"} {
		b.Run(format, func(b *testing.B) {
			in, err := New(plugintest.Settings(b, Spec(), "brokers", "b:9092", "topics", "logs", "format", format))
			if err != nil {
				b.Fatal(err)
			}
			var bld record.Builder
			now := record.Now()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				bld.Reset()
				for _, r := range recs {
					in.appendRecord(&bld, now, r)
				}
			}
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "records/s")
		})
	}
}
