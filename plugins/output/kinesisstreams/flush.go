package kinesisstreams

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluice-logs/sluice/internal/awsconf"
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
	o.logDropped(st, chunk.Tag)
	return o.send(ctx, api, st, chunk.Records)
}

// send makes the calls of st.batch. records is the chunk's record count.
func (o *Output) send(ctx context.Context, api recordsPutter, st *flushState, records int) error {
	b := &st.batch
	var firstCode, firstMsg string
	throttledOnly := true
	for start := 0; start < len(b.Entries); {
		end := b.NextCall(start, o.limits)
		st.entries = st.entries[:0]
		for i := start; i < end; i++ {
			st.entries = append(st.entries, types.PutRecordsRequestEntry{Data: b.Data(i), PartitionKey: &b.Entries[i].Key})
		}
		out, err := api.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &o.stream, Records: st.entries})
		if err != nil {
			cerr := awsconf.Classify(err, o.call)
			if start == 0 && len(st.failed) == 0 {
				return cerr
			}
			st.failed = b.Indexes(st.failed, start, len(b.Entries))
			return plugin.Partial(fmt.Errorf("output %s: %d of %d records not delivered to stream %q; resending only those: %w",
				o.id, len(st.failed), records, o.stream, cerr), append([]int(nil), st.failed...))
		}
		if len(out.Records) != len(st.entries) {
			// Which records landed is unknown: resending the call may
			// duplicate, losing it would be worse.
			st.failed = b.Indexes(st.failed, start, end)
			throttledOnly = false
			if firstCode == "" {
				firstCode, firstMsg = "IncompleteResponse", fmt.Sprintf("%d results for %d records", len(out.Records), len(st.entries))
			}
		} else {
			for i, r := range out.Records {
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
	err := fmt.Errorf("output %s: Kinesis rejected %d of %d records of stream %q (first: %s: %s); resending only those",
		o.id, len(st.failed), records, o.stream, firstCode, firstMsg)
	if throttledOnly && len(st.failed) == records {
		return plugin.Throttled(err, 0)
	}
	return plugin.Partial(err, append([]int(nil), st.failed...))
}
