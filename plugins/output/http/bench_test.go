package http

import (
	"context"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// BenchmarkFlush measures the http output end to end into a local sink
// that discards: a chunk of 1000 ~200-byte records per op, per format.
func BenchmarkFlush(b *testing.B) {
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	var bodies []string
	for i := 0; i < 1000; i++ {
		bodies = append(bodies, fmt.Sprintf(`{"seq":%d,"level":"info","service":"checkout","msg":"order placed for customer %d with 3 items","path":"/api/v1/orders","status":201,"latency_ms":12.5,"trace":"4bf92f3577b34da6a3ce929d0e0e4736"}`, i, i*7))
	}
	events, n := plugintest.Events(b, bodies...)
	c := &record.Chunk{Tag: "app", Data: events, Records: n}
	for _, kv := range [][]string{{"Format", "json_lines"}, {"Format", "json_lines", "compress", "gzip"}, {"Format", "json"}, {"Format", "msgpack"}} {
		b.Run(fmt.Sprint(kv[1:]), func(b *testing.B) {
			o, err := New(plugintest.Settings(b, Spec(), append([]string{"Host", "127.0.0.1", "Port", port}, kv...)...))
			if err != nil {
				b.Fatal(err)
			}
			defer o.Close(context.Background())
			b.SetBytes(int64(len(events)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := o.Flush(context.Background(), c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
