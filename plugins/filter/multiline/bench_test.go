package multiline

import (
	"context"
	"fmt"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// discardEmitter accepts everything.
type discardEmitter struct{ records int }

func (d *discardEmitter) Emit(_ context.Context, _ string, _ []byte, records int) error {
	d.records += records
	return nil
}

// benchEvents is a batch of the Java testdata repeated: one trace of ten
// lines in every twelve.
func benchEvents(b *testing.B, lines []line) ([]byte, int) {
	var bodies []string
	for len(bodies) < 240 {
		for _, l := range lines {
			bodies = append(bodies, l.json(b))
		}
	}
	return plugintest.Events(b, bodies...)
}

// BenchmarkFilter measures a batch of records through the filter: Java
// traces with buffer on (re-emitted through the emitter) and off, and
// plain lines that join nothing.
func BenchmarkFilter(b *testing.B) {
	java := numbered(b, "java.txt", 0)
	plain := make([]line, 12)
	for i := range plain {
		plain[i] = line{Log: fmt.Sprintf("2024-05-01 12:00:00.456 INFO 1 --- [exec-%d] c.e.OrderController : order %d created", i, i), N: i}
	}
	for _, c := range []struct {
		name   string
		lines  []line
		buffer string
	}{
		{"java/buffer=on", java, "on"},
		{"java/buffer=off", java, "off"},
		{"plain/buffer=on", plain, "on"},
		{"plain/buffer=off", plain, "off"},
	} {
		b.Run(c.name, func(b *testing.B) {
			em := &discardEmitter{}
			s := plugintest.Settings(b, Spec(), "multiline.parser", "java", "buffer", c.buffer)
			s.Emitter = em
			f, err := New(s)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close(context.Background())
			events, n := benchEvents(b, c.lines)
			var out record.Builder
			b.SetBytes(int64(len(events)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				out.Reset()
				if _, err := f.Filter("app", events, &out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
