package kinesisfirehose

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/sluice-logs/sluice/internal/record"
)

// acceptAll answers every PutRecordBatch with success, reusing its
// response, so a benchmark measures the output and not the fake.
type acceptAll struct{ out firehose.PutRecordBatchOutput }

func (a *acceptAll) PutRecordBatch(_ context.Context, in *firehose.PutRecordBatchInput, _ ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error) {
	if len(a.out.RequestResponses) < len(in.Records) {
		a.out.RequestResponses = make([]types.PutRecordBatchResponseEntry, len(in.Records))
		a.out.FailedPutCount = aws.Int32(0)
	}
	return &firehose.PutRecordBatchOutput{FailedPutCount: a.out.FailedPutCount, RequestResponses: a.out.RequestResponses[:len(in.Records)]}, nil
}

// kbChunk is a chunk of n records of about 1 KB.
func kbChunk(b *testing.B, n int) *record.Chunk {
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"seq":%d,"level":"info","msg":"%s"}`, i, strings.Repeat("m", 980))
	}
	return chunkOf(b, t0, bodies...)
}

// BenchmarkFlush measures serialising and batching a chunk of 2,000 1 KB
// records into PutRecordBatch calls (the SDK call itself is faked).
func BenchmarkFlush(b *testing.B) {
	for _, mode := range []struct {
		name string
		kv   []string
	}{
		{"plain", nil},
		{"time_key", []string{"time_key", "time", "time_key_format", "%Y-%m-%dT%H:%M:%S.%3NZ"}},
		{"gzip", []string{"compression", "gzip"}},
		{"simple_aggregation", []string{"simple_aggregation", "on"}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			o := newOutput(b, &acceptAll{}, nil, mode.kv...)
			c := kbChunk(b, 2000)
			b.SetBytes(int64(len(c.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := o.Flush(context.Background(), c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
