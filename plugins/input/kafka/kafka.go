package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/kafkaconn"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var (
	_ plugin.Input  = (*Input)(nil)
	_ plugin.Closer = (*Input)(nil)
)

// commitTimeout bounds the commit that follows the last batch at shutdown
// and at a rebalance, so a lost coordinator cannot hold the process.
const commitTimeout = 10 * time.Second

// commitEvery is the longest the poll loop waits before it commits what
// the pipeline acknowledged meanwhile.
const commitEvery = time.Second

// Input consumes topics as a member of a consumer group. It commits a
// partition's offset only past records the pipeline is done with (every
// output delivered them, see plugin.AckEmitter), so a member that crashes
// or is killed leaves its uncommitted records to the member that takes its
// partitions over: at least once, never lost.
type Input struct {
	id       string
	tag      string
	topics   []string
	logger   *slog.Logger
	conn     *kafkaconn.Conn
	consumer []kgo.Opt
	json     bool
	maxBatch int
	// autoCommit (enable_auto_commit) commits at most every
	// commitInterval instead of after every poll.
	autoCommit     bool
	commitInterval time.Duration

	offsets offsetTracker

	mu     sync.Mutex // guards client
	client *kgo.Client
}

// New returns a kafka input configured by s.Config (see Spec). It only
// checks the configuration; Run connects.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id:             s.ID,
		tag:            s.Tag,
		topics:         c.List("topics"),
		logger:         s.Logger,
		json:           c.String("format") == "json",
		maxBatch:       int(c.Size("buffer_max_size")),
		autoCommit:     c.Bool("enable_auto_commit"),
		commitInterval: kafkaconn.Millis(c, "rdkafka.auto.commit.interval.ms"),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	var err error
	if in.conn, err = kafkaconn.New(c); err != nil {
		return nil, err
	}
	if in.consumer, err = consumerOptions(c, in); err != nil {
		return nil, err
	}
	kafkaconn.WarnIgnored(c, in.logger, consumerIgnored)
	if c.IsSet("poll_timeout_ms") {
		in.logger.Warn("poll_timeout_ms has no effect: Sluice's consumer blocks on its own goroutine until messages arrive")
	}
	return in, nil
}

// Run consumes until ctx ends: it polls, hands each batch to emit, and
// commits the offsets of what the pipeline finished. Rebalances wait while
// a polled batch is being emitted (franz-go's BlockRebalanceOnPoll), and a
// revoked partition's committable offsets are committed before it goes to
// another member. The client stays in the group after Run returns: Close,
// which the engine calls once the outputs delivered what they could,
// commits those last records and leaves.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	opts, err := in.conn.Options(in.logger)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(opts, in.consumer...)...)
	if err != nil {
		return fmt.Errorf("input %s: create Kafka consumer: %w", in.id, err)
	}
	in.mu.Lock()
	in.client = cl
	in.mu.Unlock()
	var (
		b          record.Builder
		lastCommit = time.Now()
	)
	for {
		// The poll ends at least every commitEvery, so offsets the engine
		// acknowledged after the last poll are committed while idle too.
		pollCtx, cancel := context.WithTimeout(ctx, commitEvery)
		fetches := cl.PollRecords(pollCtx, 0)
		cancel()
		if ctx.Err() != nil || fetches.IsClientClosed() {
			in.offsets.stop()
			cl.AllowRebalance()
			cl.PauseFetchTopics(in.topics...) // until Close: nothing more is polled
			return nil
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				in.logger.Warn("fetch failed; the client retries", "topic", topic, "partition", partition, "error", err)
			}
		})
		emitErr := in.emitAll(ctx, emit, &b, fetches)
		if !in.autoCommit || time.Since(lastCommit) >= in.commitInterval {
			in.commit(context.WithoutCancel(ctx), cl, "after emit")
			lastCommit = time.Now()
		}
		cl.AllowRebalance()
		if emitErr != nil {
			if ctx.Err() != nil {
				in.offsets.stop()
				cl.PauseFetchTopics(in.topics...)
				return nil
			}
			// The input stops for good: leave the group now, so the other
			// members take its partitions instead of them standing still.
			in.offsets.stop()
			in.Close(context.WithoutCancel(ctx))
			return fmt.Errorf("input %s: emit records: %w", in.id, emitErr)
		}
	}
}

// emitAll encodes the polled records in batches of up to buffer_max_size
// and emits them in order. A batch's offsets become committable when the
// pipeline is done with it: when every output delivered it, if the engine
// acknowledges (plugin.AckEmitter), else when Emit accepted it.
func (in *Input) emitAll(ctx context.Context, emit plugin.Emitter, b *record.Builder, fetches kgo.Fetches) error {
	b.Reset()
	acker, _ := emit.(plugin.AckEmitter)
	var batch []*kgo.Record
	flush := func() error {
		if b.Records() == 0 {
			return nil
		}
		tracked := in.offsets.track(batch)
		var err error
		if acker != nil {
			err = acker.EmitWithAck(ctx, in.tag, b.Bytes(), b.Records(), func(delivered bool) { in.offsets.done(tracked, delivered) })
		} else if err = emit.Emit(ctx, in.tag, b.Bytes(), b.Records()); err == nil {
			in.offsets.done(tracked, true)
		}
		if err != nil {
			in.offsets.untrack(tracked)
			return err
		}
		b.Reset()
		batch = batch[:0]
		return nil
	}
	now := record.Now()
	var err error
	fetches.EachRecord(func(r *kgo.Record) {
		if err != nil {
			return
		}
		in.appendRecord(b, now, r)
		batch = append(batch, r)
		if b.Size() >= in.maxBatch {
			err = flush()
		}
	})
	if err != nil {
		return err
	}
	return flush()
}

// appendRecord writes one message as Fluent Bit's in_kafka does: the
// current time, and {topic, partition, offset, error, key, payload}.
func (in *Input) appendRecord(b *record.Builder, now record.Time, r *kgo.Record) {
	b.BeginEvent(now, nil)
	b.AppendMapHeader(6)
	b.AppendString("topic")
	b.AppendString(r.Topic)
	b.AppendString("partition")
	b.AppendInt(int64(r.Partition))
	b.AppendString("offset")
	b.AppendInt(r.Offset)
	b.AppendString("error")
	b.AppendRawValue(msgpackNil)
	b.AppendString("key")
	appendBytesOrNil(b, r.Key)
	b.AppendString("payload")
	if in.json && r.Value != nil && b.AppendJSONValue(r.Value) == nil {
		return
	}
	appendBytesOrNil(b, r.Value)
}

var msgpackNil = []byte{0xc0}

func appendBytesOrNil(b *record.Builder, v []byte) {
	if v == nil {
		b.AppendRawValue(msgpackNil)
		return
	}
	b.AppendStringBytes(v)
}

// commit commits the accepted offsets not yet committed. A failure is
// logged and the offsets stay pending for the next commit: the records
// were accepted, so at worst they are delivered again after a crash.
func (in *Input) commit(ctx context.Context, cl *kgo.Client, when string) {
	pending := in.offsets.take()
	if len(pending) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, commitTimeout)
	defer cancel()
	var commitErr error
	cl.CommitOffsetsSync(ctx, pending, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		commitErr = commitError(resp, err)
	})
	if commitErr != nil {
		in.offsets.restore(pending)
		in.logger.Warn("offset commit failed; retrying with the next commit", "when", when, "error", commitErr)
	}
}

// Close commits what the pipeline finished — at shutdown the engine calls
// it after the outputs' grace period, so that includes the records
// delivered while shutting down — and leaves the group, so the partitions
// move to the other members at once rather than after the session timeout.
func (in *Input) Close(ctx context.Context) error {
	in.mu.Lock()
	cl := in.client
	in.client = nil
	in.mu.Unlock()
	if cl == nil {
		return nil
	}
	in.commit(ctx, cl, "at shutdown")
	cl.Close()
	return nil
}

// onRevoked commits the accepted offsets of partitions about to move to
// another member. Polls are blocked while it runs, so nothing is being
// emitted.
func (in *Input) onRevoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
	in.commit(ctx, cl, "partitions revoked")
	in.offsets.forget(revoked)
	in.logger.Info("partitions revoked", "partitions", describe(revoked))
}

// onLost forgets the pending offsets of partitions the member lost without
// a clean revoke (session expired): a commit would be rejected, and their
// new owner starts from the last committed offset.
func (in *Input) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	in.offsets.forget(lost)
	in.logger.Warn("partitions lost; their uncommitted records will be delivered again by their new owner", "partitions", describe(lost))
}

func (in *Input) onAssigned(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
	in.logger.Info("partitions assigned", "partitions", describe(assigned))
}

func describe(tps map[string][]int32) string {
	var sb strings.Builder
	for t, ps := range tps {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%s%v", t, ps)
	}
	return sb.String()
}
