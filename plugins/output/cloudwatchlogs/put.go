package cloudwatchlogs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sluice-logs/sluice/internal/awsconf"
)

// streamIdle is how long the state of an unused log stream is kept: with
// templates, streams come and go with pods, and the map must not grow for
// the life of the process.
const streamIdle = 4 * time.Hour

// acquire returns the streamState of d, creating it, and marks it in use
// until release. Now and then it forgets streams idle for streamIdle.
func (o *Output) acquire(d destination) *streamState {
	o.streamsMu.Lock()
	defer o.streamsMu.Unlock()
	now := time.Now()
	if now.Sub(o.lastSweep) > streamIdle/4 {
		o.lastSweep = now
		for k, st := range o.streams {
			if st.users == 0 && now.Sub(st.lastUsed) > streamIdle {
				delete(o.streams, k)
			}
		}
	}
	st := o.streams[d]
	if st == nil {
		st = &streamState{}
		o.streams[d] = st
	}
	st.users++
	return st
}

// release ends a use of st begun by acquire.
func (o *Output) release(st *streamState) {
	o.streamsMu.Lock()
	st.users--
	st.lastUsed = time.Now()
	o.streamsMu.Unlock()
}

// sendStream sends the events of one log stream in order, one
// PutLogEvents call per batch, and stops at the first batch that fails:
// that batch and the ones after it are reported failed, so the stream's
// order holds on the retry.
func (o *Output) sendStream(ctx context.Context, api logsAPI, d destination, msgs []byte, events []logEvent) streamResult {
	st := o.acquire(d)
	defer o.release(st)
	st.mu.Lock()
	defer st.mu.Unlock()
	batches := splitBatches(nil, events)
	in := &cwl.PutLogEventsInput{LogGroupName: aws.String(d.group), LogStreamName: aws.String(d.stream)}
	// The SDK takes pointers: point into per-batch arrays, reused between
	// calls, instead of allocating two values per event.
	sc, _ := batchScratch.Get().(*putScratch)
	if sc == nil {
		sc = &putScratch{}
	}
	defer func() {
		clear(sc.texts) // no view of msgs outlives the call
		if cap(sc.body) > 2*maxBatchBytes {
			sc.body = nil
		}
		sc.inputs, sc.timestamps, sc.texts = sc.inputs[:0], sc.timestamps[:0], sc.texts[:0]
		batchScratch.Put(sc)
	}()
	ctx = withBodyBuffer(ctx, &sc.body)
	delivered := 0
	var res streamResult
	for bi, batch := range batches {
		inputs, timestamps, texts := sc.inputs[:0], sc.timestamps[:0], sc.texts[:0]
		for _, ev := range batch {
			timestamps = append(timestamps, ev.timestamp)
			// A view of msgs, not a copy: the SDK serialises the
			// messages during the call and keeps none of them, and msgs
			// outlives this function (it is the Flush's).
			texts = append(texts, bytesView(msgs[ev.off:ev.off+ev.size]))
		}
		for i := range batch {
			inputs = append(inputs, types.InputLogEvent{Timestamp: &timestamps[i], Message: &texts[i]})
		}
		sc.inputs, sc.timestamps, sc.texts = inputs, timestamps, texts
		in.LogEvents = inputs
		rejected, err := o.put(ctx, api, d, st, in)
		if err != nil {
			for _, b := range batches[bi:] {
				res.failed = append(res.failed, b...)
			}
			res.delivered, res.err = delivered, err
			return res
		}
		if rejected.count() > 0 {
			for i := range batch {
				if rejected.has(i) {
					res.rejected = append(res.rejected, int(batch[i].index))
				}
			}
			if res.rejectedErr == nil {
				res.rejectedErr = fmt.Errorf("output %s: CloudWatch Logs rejected events of log group %q stream %q: %s; check the clocks and timestamps of their source",
					o.id, d.group, d.stream, rejected)
			}
		}
		delivered += len(batch) - rejected.count()
	}
	res.delivered = delivered
	return res
}

// putScratch is the per-call arrays of sendStream, reused between calls.
type putScratch struct {
	inputs     []types.InputLogEvent
	timestamps []int64
	texts      []string
	body       []byte // the request body (putLogEventsProtocol)
}

var batchScratch sync.Pool

// bytesView is b as a string without a copy; the caller guarantees that b
// is not modified while the string is in use.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// bytesOf is s as a byte slice without a copy, for reading only.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// put makes one PutLogEvents call, creating the stream (and, with
// auto_create_group, the group) when CloudWatch Logs says it does not
// exist, and following the legacy sequence-token protocol when the server
// asks for it. These follow-ups are part of the protocol, not retries of a
// failure: every other error is classified and returned to the engine.
func (o *Output) put(ctx context.Context, api logsAPI, d destination, st *streamState, in *cwl.PutLogEventsInput) (rejectedEvents, error) {
	call := awsconf.Call{Section: o.id, Action: "logs:PutLogEvents", Resource: o.streamARN(d)}
	created, resynced := false, 0
	for {
		in.SequenceToken = st.token
		out, err := api.PutLogEvents(ctx, in, o.putOptions()...)
		if err == nil {
			st.token = out.NextSequenceToken
			return rejectedOf(out.RejectedLogEventsInfo, len(in.LogEvents)), nil
		}
		var badToken *types.InvalidSequenceTokenException
		var accepted *types.DataAlreadyAcceptedException
		var notFound *types.ResourceNotFoundException
		switch {
		case errors.As(err, &badToken) && badToken.ExpectedSequenceToken != nil && resynced < 2:
			st.token = badToken.ExpectedSequenceToken
			resynced++
			continue
		case errors.As(err, &accepted):
			// The batch was stored by an earlier attempt whose answer
			// was lost.
			st.token = accepted.ExpectedSequenceToken
			return rejectedEvents{}, nil
		case errors.As(err, &notFound) && !created:
			if err := o.createStream(ctx, api, d); err != nil {
				return rejectedEvents{}, err
			}
			created, st.token = true, nil
			continue
		}
		return rejectedEvents{}, awsconf.Classify(err, call)
	}
}

// createStream creates d's log stream and, when the group is missing and
// auto_create_group allows it, the group first.
func (o *Output) createStream(ctx context.Context, api logsAPI, d destination) error {
	call := awsconf.Call{Section: o.id, Action: "logs:CreateLogStream", Resource: o.streamARN(d)}
	in := &cwl.CreateLogStreamInput{LogGroupName: aws.String(d.group), LogStreamName: aws.String(d.stream)}
	_, err := api.CreateLogStream(ctx, in)
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		if !o.createGroup {
			return fmt.Errorf("output %s: log group %q does not exist: create it, or set auto_create_group On in this [OUTPUT] section; the records stay buffered and are retried: %w",
				o.id, d.group, err)
		}
		if err := o.createLogGroup(ctx, api, d.group); err != nil {
			return err
		}
		_, err = api.CreateLogStream(ctx, in)
	}
	var exists *types.ResourceAlreadyExistsException
	if err == nil || errors.As(err, &exists) {
		if err == nil {
			o.logger.Info(fmt.Sprintf("output %s: created log stream %q in log group %q", o.id, d.stream, d.group))
		}
		return nil
	}
	return awsconf.Classify(err, call)
}

// createLogGroup creates a group with log_group_class and, once, right
// after creating it, sets log_retention_days on it. A group that already
// exists is left as it is, retention included, as Fluent Bit does.
func (o *Output) createLogGroup(ctx context.Context, api logsAPI, group string) error {
	call := awsconf.Call{Section: o.id, Action: "logs:CreateLogGroup", Resource: o.groupARN(group)}
	in := &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}
	if len(o.groupTags) > 0 {
		in.Tags = o.groupTags
	}
	if o.groupClass != "" {
		in.LogGroupClass = types.LogGroupClass(o.groupClass)
	}
	_, err := api.CreateLogGroup(ctx, in)
	var exists *types.ResourceAlreadyExistsException
	if errors.As(err, &exists) {
		return nil
	}
	if err != nil {
		return awsconf.Classify(err, call)
	}
	o.logger.Info(fmt.Sprintf("output %s: created log group %q (class %s)", o.id, group, o.groupClass))
	if o.retention > 0 {
		_, err := api.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String(group), RetentionInDays: aws.Int32(o.retention)})
		if err != nil {
			// The group exists now, so a retry would not come back here:
			// report it and go on sending.
			err = awsconf.Classify(err, awsconf.Call{Section: o.id, Action: "logs:PutRetentionPolicy", Resource: o.groupARN(group)})
			o.logger.Error(fmt.Sprintf("output %s: setting the retention of log group %q to %d days failed; set it by hand: %v", o.id, group, o.retention, err))
		}
	}
	return nil
}

// rejectedEvents are the events of a call that CloudWatch Logs accepted
// the call for but did not store (rejectedLogEventsInfo): positions below
// tooOld were over 14 days old, those below expired older than the group's
// retention, and those from tooNew on over 2 hours ahead. They are dropped
// (plugin.ReasonRejected), not retried: a retry would be rejected the same
// way.
type rejectedEvents struct {
	n, tooOld, expired, tooNew int
}

func rejectedOf(info *types.RejectedLogEventsInfo, n int) rejectedEvents {
	r := rejectedEvents{n: n, tooNew: n}
	if info == nil {
		return r
	}
	if i := info.TooOldLogEventEndIndex; i != nil && *i > 0 {
		r.tooOld = min(int(*i), n)
	}
	if i := info.ExpiredLogEventEndIndex; i != nil && *i > 0 {
		r.expired = min(int(*i), n)
	}
	if i := info.TooNewLogEventStartIndex; i != nil && *i >= 0 && int(*i) < n {
		r.tooNew = int(*i)
	}
	return r
}

// has reports whether the event at position i was rejected.
func (r rejectedEvents) has(i int) bool {
	return i < max(r.tooOld, r.expired) || (i >= r.tooNew && i < r.n)
}

// count is the number of rejected events.
func (r rejectedEvents) count() int {
	n := 0
	for i := range r.n {
		if r.has(i) {
			n++
		}
	}
	return n
}

// String says how many events were rejected for which cause.
func (r rejectedEvents) String() string {
	var parts []string
	if r.tooOld > 0 {
		parts = append(parts, fmt.Sprintf("%d too old (over 14 days)", r.tooOld))
	}
	if n := r.expired - r.tooOld; n > 0 {
		parts = append(parts, fmt.Sprintf("%d older than the group's retention", n))
	}
	if n := r.n - r.tooNew; n > 0 {
		parts = append(parts, fmt.Sprintf("%d too new (over 2 hours ahead)", n))
	}
	return strings.Join(parts, ", ")
}

func (o *Output) groupARN(group string) string {
	region := o.aws.Region
	if region == "" {
		region = "*"
	}
	// The account is not known without an STS call; * is what an IAM
	// policy would use here.
	return fmt.Sprintf("arn:aws:logs:%s:*:log-group:%s", region, group)
}

func (o *Output) streamARN(d destination) string {
	return o.groupARN(d.group) + ":log-stream:" + d.stream
}
