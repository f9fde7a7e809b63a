package dummy

import (
	"context"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

type countingEmitter struct{ records int }

func (c *countingEmitter) Emit(_ context.Context, _ string, _ []byte, records int) error {
	c.records += records
	return nil
}

// BenchmarkProduce is the cost of encoding a 1000-record batch.
func BenchmarkProduce(b *testing.B) {
	in, err := newInput(b, "Dummy", `{"log": "a line of about one hundred bytes, repeated as fast as the input may produce it........"}`)
	if err != nil {
		b.Fatal(err)
	}
	var (
		e  countingEmitter
		bl record.Builder
	)
	b.ReportAllocs()
	for b.Loop() {
		if err := in.produce(context.Background(), &e, &bl, record.Time(time.Now().UnixNano()), 0, 1000); err != nil {
			b.Fatal(err)
		}
	}
}
