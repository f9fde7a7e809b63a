package cloudwatchlogs

import (
	"context"
	"fmt"
	"strings"
	"testing"

	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

// discardAPI accepts every call without sending it anywhere, to measure
// the output's own cost.
type discardAPI struct{}

func (discardAPI) PutLogEvents(context.Context, *cwl.PutLogEventsInput, ...func(*cwl.Options)) (*cwl.PutLogEventsOutput, error) {
	return &cwl.PutLogEventsOutput{}, nil
}
func (discardAPI) CreateLogGroup(context.Context, *cwl.CreateLogGroupInput, ...func(*cwl.Options)) (*cwl.CreateLogGroupOutput, error) {
	return &cwl.CreateLogGroupOutput{}, nil
}
func (discardAPI) CreateLogStream(context.Context, *cwl.CreateLogStreamInput, ...func(*cwl.Options)) (*cwl.CreateLogStreamOutput, error) {
	return &cwl.CreateLogStreamOutput{}, nil
}
func (discardAPI) PutRetentionPolicy(context.Context, *cwl.PutRetentionPolicyInput, ...func(*cwl.Options)) (*cwl.PutRetentionPolicyOutput, error) {
	return &cwl.PutRetentionPolicyOutput{}, nil
}

// kiloRecords is a chunk of n records of about 1 KB each.
func kiloRecords(b *testing.B, n int) []event {
	pad := strings.Repeat("x", 900)
	return numbered(n, func(i int) string {
		return fmt.Sprintf(`{"seq":%d,"log":"%s","kubernetes":{"namespace_name":"ns%d","pod_name":"pod-%d"}}`, i, pad, i%4, i%16)
	})
}

// BenchmarkFlush measures Flush of a 2,000-record chunk of 1 KB records
// (message formatting, routing, sorting, batching, building the SDK input)
// with the SDK call itself stubbed out.
func BenchmarkFlush(b *testing.B) {
	for _, tc := range []struct {
		name string
		kv   []string
	}{
		{"static", []string{"log_group_name", "g", "log_stream_name", "s"}},
		{"templates", []string{"log_group_name", "g", "log_group_template", "/eks/$kubernetes['namespace_name']",
			"log_stream_name", "s", "log_stream_template", "$kubernetes['pod_name']"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			o := newOutput(b, nil, tc.kv...)
			o.api = discardAPI{}
			c := chunkOf(b, "t", kiloRecords(b, 2000)...)
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

// BenchmarkPrepare measures turning records into messages alone.
func BenchmarkPrepare(b *testing.B) {
	o := newOutput(b, nil, "log_group_name", "g", "log_stream_name", "s")
	c := chunkOf(b, "t", kiloRecords(b, 2000)...)
	var p preparedChunk
	b.SetBytes(int64(len(c.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := o.prepare(c, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlushEmulator measures Flush of 2,000 1 KB records through the
// SDK and HTTP into the emulator, in this process.
func BenchmarkFlushEmulator(b *testing.B) {
	o := newOutput(b, nil, "log_group_name", "g", "log_stream_name", "s", "auto_create_group", "on")
	emu := emulated(b, o, cwlemu.Options{})
	c := chunkOf(b, "t", kiloRecords(b, 2000)...)
	b.SetBytes(int64(len(c.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Flush(context.Background(), c); err != nil {
			b.Fatal(err)
		}
		emu.Reset()
	}
}
