package forwardproto

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/tinylib/msgp/msgp"
)

// benchMessages is 10,000 Message-mode messages of one ~260-byte record,
// what a synchronous client sends.
func benchMessages() ([]byte, int) {
	var stream []byte
	const n = 10000
	for i := range n {
		stream = msgp.AppendArrayHeader(stream, 3)
		stream = msgp.AppendString(stream, "webapp-firelens-task")
		stream = msgp.AppendInt64(stream, 1700000000+int64(i))
		stream = msgp.AppendMapHeader(stream, 2)
		stream = msgp.AppendString(stream, "source")
		stream = msgp.AppendString(stream, "stdout")
		stream = msgp.AppendString(stream, "log")
		stream = msgp.AppendString(stream, fmt.Sprintf(`10.0.1.%d - - [01/Dec/2026:05:00:00 +0000] "GET /index.html?seq=%08d HTTP/1.1" 200 615 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"`, i%250, i))
	}
	return stream, n
}

// BenchmarkReader frames a stream of messages (Reader.Next, ScanValue) and
// checks each for a PING, as the forward input does per message.
func BenchmarkReader(b *testing.B) {
	stream, n := benchMessages()
	src := bytes.NewReader(stream)
	r := NewReader(src, 1<<20, 6<<20)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(stream)
		r.r = src
		for range n {
			msg, err := r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if IsPing(msg) {
				b.Fatal("a PING")
			}
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "messages/s")
}
