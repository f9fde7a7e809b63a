package tail

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// benchLines is a block of Kubernetes-sized log lines (~200 bytes).
func benchLines(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `2024-05-01T12:00:00.%09dZ INFO  [http-nio-8080-exec-%d] c.e.orders.OrderController : order %d created for customer %d in 12ms, items=3, total=99.95 EUR`+"\n", i, i%10, i, i*7)
	}
	return b.Bytes()
}

// BenchmarkLineReader splits a file's bytes into lines: reads of 256 KiB,
// no copy and no allocation per line.
func BenchmarkLineReader(b *testing.B) {
	data := benchLines(100000)
	g := &growing{data: data}
	lr := newLineReader(newBufferPool(0), 32<<10, 0)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	lines := 0
	for range b.N {
		lr.reset(0)
		for {
			n, _ := lr.fill(g)
			for {
				_, _, res := lr.next(false)
				if res == lineNone {
					break
				}
				lines++
			}
			if n == 0 {
				break
			}
		}
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}

// countingEmitter discards records, counting them.
type countingEmitter struct {
	records atomic.Int64
	target  int64
	done    chan struct{}
}

func (e *countingEmitter) Emit(_ context.Context, _ string, _ []byte, records int) error {
	if e.records.Add(int64(records)) == e.target {
		close(e.done)
	}
	return nil
}

// ackingEmitter is a countingEmitter that acknowledges every batch at
// once, as the engine does when the outputs are done: the input's offset
// bookkeeping (an in-flight entry per batch) runs as in a pipeline.
type ackingEmitter struct{ countingEmitter }

func (e *ackingEmitter) EmitWithAck(ctx context.Context, tag string, events []byte, records int, ack func(bool)) error {
	err := e.Emit(ctx, tag, events, records)
	ack(true)
	return err
}

// BenchmarkTailFile reads a whole file through the input: reading,
// splitting and encoding records, with the Emit cost of a discarding
// pipeline only. allocs/op are per file of 200,000 lines: the input's
// set-up, and per batch of about 128 KiB with acks (its in-flight entry
// and callback); nothing per line.
func BenchmarkTailFile(b *testing.B) {
	for _, tc := range []struct {
		name string
		kv   []string
		acks bool
	}{
		{"plain", nil, false},
		{"path_and_offset_keys", []string{"Path_Key", "file", "Offset_Key", "offset"}, false},
		{"acks", nil, true},
		{"acks_db", []string{"DB", "tail.db"}, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := b.TempDir()
			const n = 200000
			data := benchLines(n)
			path := filepath.Join(dir, "app.log")
			os.WriteFile(path, data, 0o644)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				kv := append([]string{"Path", path, "Read_from_Head", "on"}, tc.kv...)
				if tc.kv != nil && tc.kv[0] == "DB" {
					os.Remove(filepath.Join(dir, "tail.db"))
					kv[len(kv)-1] = filepath.Join(dir, "tail.db")
				}
				in := newTail(b, nil, kv...)
				var e plugin.Emitter
				c := &countingEmitter{target: n, done: make(chan struct{})}
				e = c
				if tc.acks {
					a := &ackingEmitter{countingEmitter{target: n, done: make(chan struct{})}}
					c, e = &a.countingEmitter, a
				}
				ctx, cancel := context.WithCancel(context.Background())
				errc := make(chan error, 1)
				go func() { errc <- in.Run(ctx, e) }()
				<-c.done
				cancel()
				<-errc
				if tc.acks {
					in.Close(context.Background())
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
