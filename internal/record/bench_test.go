package record

import (
	"fmt"
	"testing"
)

// benchEvents is the number of events in the benchmark chunk, about the
// size of a Fluent Bit chunk flushed after a second of moderate traffic.
const benchEvents = 1000

// k8sBody encodes a realistic container log record (about 250 bytes of
// msgpack) as the tail input with the kubernetes filter produces it.
func k8sBody(b *Builder, i int) {
	b.AppendMapHeader(4)
	b.AppendString("log")
	b.AppendString(fmt.Sprintf("2024-05-06T07:08:09.%06dZ INFO GET /api/v1/items/%d 200 1532 \"curl/8.4.0\" 0.004s\n", i%1000000, i))
	b.AppendString("stream")
	b.AppendString("stdout")
	b.AppendString("time")
	b.AppendString("2024-05-06T07:08:09.123456789Z")
	b.AppendString("kubernetes")
	b.AppendMapHeader(4)
	b.AppendString("pod_name")
	b.AppendString("web-7d9f8c6b5d-x2x4k")
	b.AppendString("namespace_name")
	b.AppendString("prod")
	b.AppendString("container_name")
	b.AppendString("web")
	b.AppendString("host")
	b.AppendString("ip-10-0-1-23.internal")
}

// benchChunk returns a chunk of benchEvents container log events.
func benchChunk(tb testing.TB) []byte {
	var b Builder
	for i := 0; i < benchEvents; i++ {
		b.BeginEvent(Time(1_700_000_000_000_000_000+int64(i)*1_000_000), nil)
		k8sBody(&b, i)
	}
	if n, err := Count(b.Bytes()); err != nil || n != benchEvents {
		tb.Fatalf("bench chunk: %d events, %v", n, err)
	}
	return b.Bytes()
}

// benchBody returns the body map of one event of the chunk.
func benchBody(tb testing.TB) []byte {
	ev, _, err := DecodeEvent(benchChunk(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return ev.Body
}

func BenchmarkIterator(b *testing.B) {
	chunk := benchChunk(b)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		it := NewIterator(chunk)
		n := 0
		for it.Next() {
			n++
		}
		if it.Err() != nil || n != benchEvents {
			b.Fatalf("%d events, %v", n, it.Err())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
}

func BenchmarkLookup(b *testing.B) {
	body := benchBody(b)
	k8s, _ := Lookup(body, "kubernetes")
	tests := []struct {
		name string
		m    []byte
		key  string
	}{
		{"first", body, "log"},
		{"last", body, "kubernetes"},
		{"nested", k8s, "namespace_name"},
		{"absent", body, "level"},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Lookup(tt.m, tt.key)
			}
		})
	}
}

// BenchmarkAppendJSON converts the chunk to newline-delimited JSON, as an
// HTTP or file output does, into a buffer reused across flushes.
func BenchmarkAppendJSON(b *testing.B) {
	chunk := benchChunk(b)
	toJSON := func(buf []byte) []byte {
		it := NewIterator(chunk)
		for it.Next() {
			var err error
			if buf, _, err = AppendJSON(buf, it.Event().Body); err != nil {
				b.Fatal(err)
			}
			buf = append(buf, '\n')
		}
		return buf
	}
	buf := toJSON(nil) // warm the buffer: the steady state of an output
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		buf = toJSON(buf[:0])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
}

// benchJSONLine is a typical structured application log line.
const benchJSONLine = `{"time":"2024-05-06T07:08:09.123456789Z","level":"info","msg":"request served",` +
	`"method":"GET","path":"/api/v1/items/12345","status":200,"bytes":1532,"duration_ms":4.25,` +
	`"user_agent":"curl/8.4.0","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","tags":["api","v1"],` +
	`"error":null,"cached":false,"note":"quoted \"value\"\twith escapes"}`

func BenchmarkAppendJSONAsMsgpack(b *testing.B) {
	line := []byte(benchJSONLine)
	var dst []byte
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = AppendJSONAsMsgpack(dst[:0], line); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuilder(b *testing.B) {
	body := benchBody(b)
	b.Run("Append", func(b *testing.B) {
		var bl Builder
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if bl.Records() == benchEvents {
				bl.Reset()
			}
			bl.Append(1_700_000_000_000_000_000, nil, body)
		}
	})
	b.Run("BeginEvent", func(b *testing.B) {
		var bl Builder
		b.ReportAllocs()
		for b.Loop() {
			if bl.Records() == benchEvents {
				bl.Reset()
			}
			bl.BeginEvent(1_700_000_000_000_000_000, nil)
			bl.AppendMapHeader(2)
			bl.AppendString("log")
			bl.AppendString("GET /api/v1/items/12345 200 1532")
			bl.AppendString("stream")
			bl.AppendString("stdout")
		}
	})
}
