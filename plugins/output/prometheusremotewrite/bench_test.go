package prometheusremotewrite

import (
	"fmt"
	"testing"

	"github.com/klauspost/compress/s2"

	"github.com/sluice-logs/sluice/internal/record"
)

// BenchmarkEncode measures what a flush does before the request: decode
// 1000 metric records of 100 series (10 scrapes of fluentbit_metrics'
// shape), build the WriteRequest and snappy-compress it. Bytes are the
// chunk's msgpack; ns/sample is per record.
func BenchmarkEncode(b *testing.B) {
	var rb record.Builder
	for scrape := range 10 {
		for i := range 100 {
			body, err := record.AppendJSONAsMsgpack(nil, []byte(fmt.Sprintf(
				`{"metric":"fluentbit_output_proc_records_total","type":"counter","labels":{"name":"cloudwatch_logs.%d","host":"ip-10-0-1-23"},"value":%d}`, i, scrape*1000+i)))
			if err != nil {
				b.Fatal(err)
			}
			rb.Append(record.Time(int64(1700000000+2*scrape)*1e9), nil, body)
		}
	}
	data, n := rb.Bytes(), rb.Records()
	w := newWriteRequest(nil)
	var out []byte
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		it := record.NewIterator(data)
		for it.Next() {
			if err := w.add(it.Event().Body, it.Event().Time); err != nil {
				b.Fatal(err)
			}
		}
		out = s2.EncodeSnappy(out, w.encode())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sample")
	b.ReportMetric(float64(len(out)), "body-bytes")
}
