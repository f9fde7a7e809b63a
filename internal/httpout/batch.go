package httpout

import (
	"errors"
	"fmt"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// Limits bound one request body. Zero means no limit.
type Limits struct {
	// MaxBytes is the largest body, before compression. A single record
	// larger than this is still sent, alone in its body.
	MaxBytes int
	// MaxRecords is the most records in one body.
	MaxRecords int
}

// Framing is how a body format joins records: Open, the records separated
// by Sep, Close. A JSON array is {"[", ",", "]"}; JSON lines {"", "", ""}
// with records that end in "\n".
type Framing struct {
	Open, Sep, Close string
}

// Batch is one request body and the records of the chunk it carries, in
// body order: Records holds their indexes in the chunk (records that could
// not be encoded are left out of the body and of Records).
type Batch struct {
	Body    []byte
	Records []int
}

// Encoder appends the encoding of one event to dst. An error marks the
// record as one the output cannot encode: it is left out and rejected.
type Encoder func(dst []byte, ev *record.Event) ([]byte, error)

// Split encodes the events of data into bodies within lim and calls send
// with each, in order; buf is reused across bodies (the Body of a Batch is
// valid only during send). send returns false to stop early (after a
// retryable failure, there is no point in sending more). Records whose
// encoding fails are reported to out as rejected.
func Split(data []byte, lim Limits, f Framing, enc Encoder, buf []byte, out *Outcome, send func(Batch) bool) []byte {
	body := append(buf[:0], f.Open...)
	count := 0
	var idx []int
	flush := func() bool {
		if count == 0 {
			return true
		}
		body = append(body, f.Close...)
		ok := send(Batch{Body: body, Records: idx})
		body, count, idx = append(body[:0], f.Open...), 0, idx[:0]
		return ok
	}
	it := record.NewIterator(data)
	for it.Next() {
		i := it.Index()
		mark := len(body)
		if count > 0 {
			body = append(body, f.Sep...)
		}
		var err error
		body, err = enc(body, it.Event())
		if err != nil {
			body = body[:mark]
			reason := plugin.ReasonUnsupported
			if class, _, _ := plugin.Classify(err); class == plugin.ClassPermanent {
				reason = plugin.DropReason(err)
			}
			out.reject(i, reason, fmt.Errorf("record %d: %w", i, err))
			continue
		}
		count++
		idx = append(idx, i)
		full := (lim.MaxRecords > 0 && count >= lim.MaxRecords) || (lim.MaxBytes > 0 && len(body)+len(f.Close) >= lim.MaxBytes)
		if lim.MaxBytes > 0 && count > 1 && len(body)+len(f.Close) > lim.MaxBytes {
			// This record does not fit: send the body without it and
			// start the next body with it.
			rec := append([]byte(nil), body[mark+len(f.Sep):]...)
			body, count, idx = body[:mark], count-1, idx[:len(idx)-1]
			if !flush() {
				out.skip(i)
				return body
			}
			count, idx = 1, append(idx, i)
			body = append(body, rec...)
			full = (lim.MaxRecords > 0 && count >= lim.MaxRecords) || len(body)+len(f.Close) >= lim.MaxBytes
		}
		if full && !flush() {
			out.skip(i + 1)
			return body
		}
	}
	if err := it.Err(); err != nil {
		out.rejectRest(it.Index()+1, plugin.ReasonMalformed, fmt.Errorf("chunk: %w", err))
	}
	flush()
	return body
}

// Outcome folds the results of a chunk's bodies into the one error Flush
// returns. The zero value is ready for a chunk of Records records.
type Outcome struct {
	// Records is the chunk's record count.
	Records int

	failed    []int
	drops     []plugin.Drop // the records given up on, one group per reason
	retryErr  error         // first retryable (or throttled) failure
	rejectErr error         // first permanent failure
	delivered int
}

// Add records the result of sending b: nil, or the classified error of
// Client.Do. It reports whether sending should go on (false after a
// retryable failure: the destination is struggling).
func (o *Outcome) Add(b Batch, err error) bool {
	if err == nil {
		o.delivered += len(b.Records)
		return true
	}
	class, _, _ := plugin.Classify(err)
	if class == plugin.ClassPermanent {
		for _, i := range b.Records {
			o.reject(i, plugin.DropReason(err), err)
		}
		return true
	}
	o.failed = append(o.failed, b.Records...)
	if o.retryErr == nil {
		o.retryErr = err
	}
	return false
}

// Item records the result of one record inside a body that reports
// per-record results (an Elasticsearch bulk item): err is nil, or
// classified Permanent for a refused record (counted with reason rejected
// unless plugin.PermanentReason names another), anything else to retry.
func (o *Outcome) Item(i int, err error) {
	if err == nil {
		o.delivered++
		return
	}
	if class, _, _ := plugin.Classify(err); class == plugin.ClassPermanent {
		reason := plugin.ReasonRejected
		if r := plugin.DropReason(err); r != plugin.ReasonPermanent {
			reason = r
		}
		o.reject(i, reason, err)
		return
	}
	o.failed = append(o.failed, i)
	if o.retryErr == nil {
		o.retryErr = err
	}
}

// reject gives up on record i for reason; the group of a reason keeps the
// first error as its description.
func (o *Outcome) reject(i int, reason string, err error) {
	if o.rejectErr == nil {
		o.rejectErr = err
	}
	for k := range o.drops {
		if o.drops[k].Reason == reason {
			o.drops[k].Indexes = append(o.drops[k].Indexes, i)
			return
		}
	}
	o.drops = append(o.drops, plugin.Drop{Reason: reason, Indexes: []int{i}, Err: err})
}

// skip marks the records from index i on as failed: they were not sent.
func (o *Outcome) skip(i int) {
	for ; i < o.Records; i++ {
		o.failed = append(o.failed, i)
	}
}

func (o *Outcome) rejectRest(i int, reason string, err error) {
	for ; i < o.Records; i++ {
		o.reject(i, reason, err)
	}
	if o.rejectErr == nil {
		o.rejectErr = err
	}
}

// Err is the error Flush returns: nil when every record was delivered;
// the retryable error as it is when nothing was delivered or rejected (so
// a Throttled wait is kept); plugin.PermanentReason when every record was
// given up on for one reason; otherwise plugin.PartialDropped with the
// records to retry and those to drop, by reason.
func (o *Outcome) Err() error {
	switch {
	case len(o.failed) == 0 && len(o.drops) == 0:
		return nil
	case len(o.drops) == 0 && o.delivered == 0:
		return o.retryErr
	case len(o.failed) == 0 && o.delivered == 0 && len(o.drops) == 1:
		return plugin.PermanentReason(o.drops[0].Reason, o.rejectErr)
	}
	err := errors.Join(o.retryErr, o.rejectErr)
	return plugin.PartialDropped(err, o.failed, o.drops...)
}
