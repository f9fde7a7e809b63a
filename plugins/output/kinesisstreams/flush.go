package kinesisstreams

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/awsrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// throttleCode is the per-record (and per-call) error of a shard over its
// write throughput.
const throttleCode = "ProvisionedThroughputExceededException"

// Flush sends chunk in as few PutRecords calls as the quotas allow and
// reports exactly the records that were not accepted (see the package doc).
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	api, err := o.client(ctx)
	if err != nil {
		return err
	}
	st := o.states.Get().(*flushState)
	defer o.states.Put(st)
	if err := o.encode(st, chunk); err != nil {
		return err
	}
	return st.dropped.Result(o.send(ctx, api, st, chunk.Records), o.id,
		"Kinesis's 1 MiB record limit (data and partition key)", o.format.LogKey)
}

// send makes the calls of st.batch. records is the chunk's record count.
func (o *Output) send(ctx context.Context, api recordsPutter, st *flushState, records int) error {
	rep := st.batch.Send(ctx, o.limits, throttleCode, st.failed, func(ctx context.Context, start, end int) ([]awsrecord.RecordResult, error) {
		st.entries = st.entries[:0]
		for i := start; i < end; i++ {
			st.entries = append(st.entries, types.PutRecordsRequestEntry{Data: st.batch.Data(i), PartitionKey: &st.batch.Entries[i].Key})
		}
		out, err := api.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &o.stream, Records: st.entries})
		if err != nil {
			return nil, awsconf.Classify(err, o.call)
		}
		st.results = st.results[:0]
		for _, r := range out.Records {
			st.results = append(st.results, awsrecord.RecordResult{Code: deref(r.ErrorCode), Message: deref(r.ErrorMessage)})
		}
		return st.results, nil
	})
	st.failed = rep.Failed
	switch {
	case rep.NothingSent:
		return rep.CallErr
	case rep.CallErr != nil:
		return plugin.Partial(fmt.Errorf("output %s: %d of %d records not delivered to stream %q; resending only those: %w",
			o.id, len(rep.Failed), records, o.stream, rep.CallErr), append([]int(nil), rep.Failed...))
	case len(rep.Failed) == 0:
		return nil
	}
	err := fmt.Errorf("output %s: Kinesis rejected %d of %d records of stream %q (first: %s: %s); resending only those",
		o.id, len(rep.Failed), records, o.stream, rep.FirstCode, rep.FirstMessage)
	if rep.ThrottledOnly && len(rep.Failed) == records {
		return plugin.Throttled(err, 0)
	}
	return plugin.Partial(err, append([]int(nil), rep.Failed...))
}

// deref is the string an optional SDK field points at, or "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
