package engine

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

type discard struct{}

func (discard) Flush(context.Context, *record.Chunk) error { return nil }

type idle struct{}

func (idle) Run(ctx context.Context, _ plugin.Emitter) error { <-ctx.Done(); return nil }

// benchBatch is 100 records of about 250 bytes, the size of a typical
// container log line with a little metadata.
func benchBatch() ([]byte, int) {
	var b record.Builder
	for i := 0; i < 100; i++ {
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

// BenchmarkEmitFanOut measures the engine's cost per record from an input's
// Emit to two outputs' Flush: routing, buffering, sealing, dispatch and
// release, with outputs that do nothing.
func BenchmarkEmitFanOut(b *testing.B) {
	benchEmit(b, 0)
}

// BenchmarkEmitTapped is BenchmarkEmitFanOut with four `sluice tap`
// readers of the input: the batch is copied once for all of them.
func BenchmarkEmitTapped(b *testing.B) {
	benchEmit(b, 4)
}

func benchEmit(b *testing.B, taps int) {
	reg, err := plugin.NewRegistry(
		plugin.Spec{Kind: plugin.KindInput, Name: "idle", NewInput: func(plugin.Settings) (plugin.Input, error) { return idle{}, nil }},
		plugin.Spec{Kind: plugin.KindOutput, Name: "discard", NewOutput: func(plugin.Settings) (plugin.Output, error) { return discard{}, nil }},
	)
	if err != nil {
		b.Fatal(err)
	}
	m := &config.Model{Service: section(config.KindService, "Flush", "0.01", "Grace", "5")}
	m.Add(section(config.KindInput, "Name", "idle", "Tag", "app", "Mem_Buf_Limit", "16M"))
	m.Add(section(config.KindOutput, "Name", "discard", "Match", "*"))
	m.Add(section(config.KindOutput, "Name", "discard", "Match", "app"))
	p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	batch, n := benchBatch()
	in := p.inputs[0]
	var readers sync.WaitGroup
	for range taps {
		events, stop, _, err := p.Tap(in.id)
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
		readers.Go(func() {
			for range events {
			}
		})
	}
	// Warm up: the first chunks allocate the buffers that then circulate
	// (about Mem_Buf_Limit's worth); B/op is the steady state after them.
	for range 1000 {
		if err := in.Emit(ctx, "app", batch, n); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := in.Emit(ctx, "app", batch, n); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
	cancel()
	<-done
	readers.Wait()
}
