package kinesisfirehose

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/sluice-logs/sluice/internal/awsconf"
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
	o.logDropped(st, chunk.Tag)
	return o.send(ctx, api, st, chunk.Records)
}

// send makes the calls of st.batch. records is the chunk's record count.
func (o *Output) send(ctx context.Context, api recordBatchPutter, st *flushState, records int) error {
	b := &st.batch
	var firstCode, firstMsg string
	throttledOnly := true
	for start := 0; start < len(b.Entries); {
		end := b.NextCall(start, o.limits)
		st.records = st.records[:0]
		for i := start; i < end; i++ {
			st.records = append(st.records, types.Record{Data: b.Data(i)})
		}
		out, err := api.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: &o.stream, Records: st.records})
		if err != nil {
			cerr := o.classify(err)
			if start == 0 && len(st.failed) == 0 {
				return cerr
			}
			st.failed = b.Indexes(st.failed, start, len(b.Entries))
			return plugin.Partial(fmt.Errorf("output %s: %d of %d records not delivered to delivery stream %q; resending only those: %w",
				o.id, len(st.failed), records, o.stream, cerr), append([]int(nil), st.failed...))
		}
		if len(out.RequestResponses) != len(st.records) {
			// Without a response per record, which ones landed is unknown;
			// resending the call may duplicate, losing it would be worse.
			st.failed = b.Indexes(st.failed, start, end)
			throttledOnly = false
			if firstCode == "" {
				firstCode, firstMsg = "IncompleteResponse", fmt.Sprintf("%d responses for %d records", len(out.RequestResponses), len(st.records))
			}
		} else {
			for i, r := range out.RequestResponses {
				if r.ErrorCode == nil {
					continue
				}
				st.failed = b.Indexes(st.failed, start+i, start+i+1)
				if *r.ErrorCode != throttleCode {
					throttledOnly = false
				}
				if firstCode == "" {
					firstCode = *r.ErrorCode
					if r.ErrorMessage != nil {
						firstMsg = *r.ErrorMessage
					}
				}
			}
		}
		start = end
	}
	if len(st.failed) == 0 {
		return nil
	}
	err := fmt.Errorf("output %s: Firehose rejected %d of %d records of delivery stream %q (first: %s: %s); resending only those",
		o.id, len(st.failed), records, o.stream, firstCode, firstMsg)
	if throttledOnly && len(st.failed) == records {
		return plugin.Throttled(err, 0)
	}
	return plugin.Partial(err, append([]int(nil), st.failed...))
}

// classify maps the error of a whole call: awsconf's classes, except that
// Firehose's ServiceUnavailableException means throttling.
func (o *Output) classify(err error) error {
	if _, code := awsconf.KindOf(err); code == throttleCode {
		return plugin.Throttled(fmt.Errorf("output %s: %s throttled by Firehose (%s); backing off: %w", o.id, o.call.Action, code, err), 0)
	}
	return awsconf.Classify(err, o.call)
}
