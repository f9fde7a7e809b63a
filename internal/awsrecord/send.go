package awsrecord

import (
	"context"
	"fmt"
)

// RecordResult is what a batch call (PutRecordBatch, PutRecords) said of one
// record it was sent: Code is empty when the record was accepted.
type RecordResult struct {
	Code, Message string
}

// CallFunc sends the batch's entries [start, end) in one call and returns a
// result per entry, in order, or the error of the whole call.
type CallFunc func(ctx context.Context, start, end int) ([]RecordResult, error)

// SendReport is the outcome of Send.
type SendReport struct {
	// Failed are the chunk indexes of the records not delivered, ascending.
	Failed []int
	// CallErr is the error of a whole call that failed, if one did; the
	// entries of that call and of every later one are in Failed.
	CallErr error
	// NothingSent is set with CallErr when the first call failed: the whole
	// chunk is to be retried as it is.
	NothingSent bool
	// FirstCode and FirstMessage describe the first record a call refused.
	FirstCode, FirstMessage string
	// ThrottledOnly is true when every refused record had the throttling code.
	ThrottledOnly bool
}

// Send makes the calls of b within limits, in order, and reports exactly the
// records that were not accepted, so that the engine resends only those:
// the one send loop of the Kinesis Data Streams and Firehose outputs.
// failed is reused for Report.Failed. throttleCode is the service's
// per-record code for a stream over its quota.
func (b *Batch) Send(ctx context.Context, limits Limits, throttleCode string, failed []int, call CallFunc) SendReport {
	rep := SendReport{Failed: failed[:0], ThrottledOnly: true}
	for start := 0; start < len(b.Entries); {
		end := b.NextCall(start, limits)
		results, err := call(ctx, start, end)
		if err != nil {
			rep.CallErr = err
			rep.NothingSent = start == 0 && len(rep.Failed) == 0
			rep.Failed = b.Indexes(rep.Failed, start, len(b.Entries))
			return rep
		}
		if len(results) != end-start {
			// Without a result per record, which ones landed is unknown:
			// resending the call may duplicate, losing it would be worse.
			rep.Failed = b.Indexes(rep.Failed, start, end)
			rep.ThrottledOnly = false
			if rep.FirstCode == "" {
				rep.FirstCode = "IncompleteResponse"
				rep.FirstMessage = fmt.Sprintf("%d results for %d records", len(results), end-start)
			}
		} else {
			for i, r := range results {
				if r.Code == "" {
					continue
				}
				rep.Failed = b.Indexes(rep.Failed, start+i, start+i+1)
				if r.Code != throttleCode {
					rep.ThrottledOnly = false
				}
				if rep.FirstCode == "" {
					rep.FirstCode, rep.FirstMessage = r.Code, r.Message
				}
			}
		}
		start = end
	}
	return rep
}
