package engine

import (
	"context"
	"io"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// BenchmarkEmitFilesystem is BenchmarkEmitFanOut with storage.type
// filesystem: each Emit also writes its records to the input's store (and
// fsyncs with storage.sync full) before returning, and each delivery writes
// a done marker.
func BenchmarkEmitFilesystem(b *testing.B) {
	benchEmitFilesystem(b, false)
}

// BenchmarkEmitFilesystemParallel is BenchmarkEmitFilesystem with many
// goroutines emitting into one input at once, as a forward input's
// connections do.
func BenchmarkEmitFilesystemParallel(b *testing.B) {
	benchEmitFilesystem(b, true)
}

func benchEmitFilesystem(b *testing.B, parallel bool) {
	for _, sync := range []string{"normal", "full"} {
		b.Run("sync="+sync, func(b *testing.B) {
			reg, err := plugin.NewRegistry(
				plugin.Spec{Kind: plugin.KindInput, Name: "idle", NewInput: func(plugin.Settings) (plugin.Input, error) { return idle{}, nil }},
				plugin.Spec{Kind: plugin.KindOutput, Name: "discard", NewOutput: func(plugin.Settings) (plugin.Output, error) { return discard{}, nil }},
			)
			if err != nil {
				b.Fatal(err)
			}
			m := &config.Model{Service: section(config.KindService, "Flush", "0.01", "Grace", "5",
				"storage.path", b.TempDir(), "storage.sync", sync)}
			m.Add(section(config.KindInput, "Name", "idle", "Tag", "app", "Mem_Buf_Limit", "16M", "storage.type", "filesystem"))
			m.Add(section(config.KindOutput, "Name", "discard", "Match", "*"))
			m.Add(section(config.KindOutput, "Name", "discard", "Match", "app"))
			p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(io.Discard, "text")})
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()
			for p.inputs[0].store == nil { // Run opens the store first
				select {
				case err := <-done:
					b.Fatal(err)
				default:
				}
			}
			batch, n := benchBatch()
			in := p.inputs[0]
			b.SetBytes(int64(len(batch)))
			b.ReportAllocs()
			b.ResetTimer()
			if parallel {
				// Eight emitters at once, as eight forward connections:
				// with storage.sync full they share fsyncs.
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := in.Emit(ctx, "app", batch, n); err != nil {
							b.Error(err)
							return
						}
					}
				})
			} else {
				for b.Loop() {
					if err := in.Emit(ctx, "app", batch, n); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
			cancel()
			<-done
		})
	}
}
