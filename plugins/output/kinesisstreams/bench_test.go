package kinesisstreams

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// acceptAll answers every PutRecords with success.
type acceptAll struct{ results []types.PutRecordsResultEntry }

func (a *acceptAll) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	if len(a.results) < len(in.Records) {
		a.results = make([]types.PutRecordsResultEntry, len(in.Records))
	}
	return &kinesis.PutRecordsOutput{FailedRecordCount: aws.Int32(0), Records: a.results[:len(in.Records)]}, nil
}

// BenchmarkFlush measures serialising, keying, aggregating and batching a
// chunk of 2,000 1 KB records into PutRecords calls (the SDK call itself is
// faked).
func BenchmarkFlush(b *testing.B) {
	bodies := make([]string, 2000)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"seq":%d,"pod":"pod-%d","msg":"%s"}`, i, i%10, strings.Repeat("m", 980))
	}
	for _, mode := range []struct {
		name string
		kv   []string
	}{
		{"random_keys", nil},
		{"partition_key", []string{"partition_key", "pod"}},
		{"aggregation", []string{"aggregation", "on"}},
		{"aggregation_partition_key", []string{"aggregation", "on", "partition_key", "pod"}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			o := newOutput(b, &acceptAll{}, nil, mode.kv...)
			c := chunkOf(b, bodies...)
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
