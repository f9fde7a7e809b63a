package es

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// BenchmarkFlush measures a bulk request of 1000 ~200-byte records into a
// local sink answering {"errors":false}, with Logstash indexes and
// Generate_ID.
func BenchmarkFlush(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"took":1,"errors":false,"items":[]}`)
	}))
	defer srv.Close()
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	var bodies []string
	for i := 0; i < 1000; i++ {
		bodies = append(bodies, fmt.Sprintf(`{"seq":%d,"level":"info","service":"checkout","msg":"order placed for customer %d with 3 items","path":"/api/v1/orders","status":201,"latency_ms":12.5,"trace":"4bf92f3577b34da6a3ce929d0e0e4736"}`, i, i*7))
	}
	events, n := plugintest.Events(b, bodies...)
	c := &record.Chunk{Tag: "app", Data: events, Records: n}
	o, err := New(plugintest.Settings(b, Spec(), "Host", "127.0.0.1", "Port", port, "Logstash_Format", "on", "Generate_ID", "on", "Suppress_Type_Name", "on"))
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
}
