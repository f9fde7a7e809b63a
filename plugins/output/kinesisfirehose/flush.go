package kinesisfirehose

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/awsrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// throttleCode is the error Firehose returns, for a call or for one
// record, when a stream is over its throughput quota.
const throttleCode = "ServiceUnavailableException"

// Flush sends chunk in as few PutRecordBatch calls as the quotas allow and
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
		"Firehose's 1,000 KiB record limit", o.format.LogKey)
}

// send makes the calls of st.batch. records is the chunk's record count.
func (o *Output) send(ctx context.Context, api recordBatchPutter, st *flushState, records int) error {
	rep := st.batch.Send(ctx, o.limits, throttleCode, st.failed, func(ctx context.Context, start, end int) ([]awsrecord.RecordResult, error) {
		st.records = st.records[:0]
		for i := start; i < end; i++ {
			st.records = append(st.records, types.Record{Data: st.batch.Data(i)})
		}
		out, err := api.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: &o.stream, Records: st.records})
		if err != nil {
			return nil, o.classify(err)
		}
		st.results = st.results[:0]
		for _, r := range out.RequestResponses {
			st.results = append(st.results, awsrecord.RecordResult{Code: deref(r.ErrorCode), Message: deref(r.ErrorMessage)})
		}
		return st.results, nil
	})
	st.failed = rep.Failed
	switch {
	case rep.NothingSent:
		return rep.CallErr
	case rep.CallErr != nil:
		return plugin.Partial(fmt.Errorf("output %s: %d of %d records not delivered to delivery stream %q; resending only those: %w",
			o.id, len(rep.Failed), records, o.stream, rep.CallErr), append([]int(nil), rep.Failed...))
	case len(rep.Failed) == 0:
		return nil
	}
	err := fmt.Errorf("output %s: Firehose rejected %d of %d records of delivery stream %q (first: %s: %s); resending only those",
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

// classify maps the error of a whole call: awsconf's classes, except that
// Firehose's ServiceUnavailableException means throttling.
func (o *Output) classify(err error) error {
	if _, code := awsconf.KindOf(err); code == throttleCode {
		return plugin.Throttled(fmt.Errorf("output %s: %s throttled by Firehose (%s); backing off: %w", o.id, o.call.Action, code, err), 0)
	}
	return awsconf.Classify(err, o.call)
}
