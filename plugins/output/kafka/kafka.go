package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/kafkaconn"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

var (
	_ plugin.Output = (*Output)(nil)
	_ plugin.Closer = (*Output)(nil)
)

// Output produces the records of each chunk to Kafka and returns once the
// brokers acknowledged every one of them (or failed some: those are
// reported by index, and the engine retries only them). It is safe for
// concurrent use by the output's Workers.
type Output struct {
	id       string
	logger   *slog.Logger
	conn     *kafkaconn.Conn
	producer []kgo.Opt // producer options, fixed by New
	encoder  encoder
	router   *topicRouter
	keyField string
	key      []byte
	// slots bounds the records in the producer at once (its queue); a
	// flush that finds no slot waits up to queueWait, then leaves the rest
	// of its chunk to the engine's retry (queue_full_retries).
	slots     chan struct{}
	queueWait time.Duration

	mu     sync.Mutex // guards client
	client *kgo.Client
}

// New returns a kafka output configured by s.Config (see Spec). It only
// checks the configuration; the client connects on the first Flush.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{id: s.ID, logger: s.Logger, keyField: c.String("message_key_field")}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	var err error
	if o.conn, err = kafkaconn.New(c); err != nil {
		return nil, err
	}
	if k := c.String("message_key"); k != "" {
		o.key = []byte(k)
	}
	topics := c.List("topics")
	if len(topics) == 0 {
		return nil, c.Errorf("topics", "is empty; name at least one topic")
	}
	for _, t := range topics {
		if !validTopic([]byte(t)) {
			return nil, c.Errorf("topics", "%q is not a valid Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -)", t)
		}
	}
	o.router = &topicRouter{topics: topics, key: c.String("topic_key"), dynamic: c.Bool("dynamic_topic"),
		logger: o.logger, learned: map[string]string{}}
	if o.router.dynamic && o.router.key == "" {
		return nil, c.Errorf("dynamic_topic", "needs topic_key, the record key that names the topic")
	}
	o.encoder = encoder{timestampKey: c.String("timestamp_key"), rawKey: c.String("raw_log_key")}
	switch c.String("format") {
	case "msgpack":
		o.encoder.format = formatMsgpack
	case "raw":
		o.encoder.format = formatRaw
		if o.encoder.rawKey == "" {
			return nil, c.Errorf("raw_log_key", "is required by format raw: name the record key whose value is the message")
		}
	}
	switch c.String("timestamp_format") {
	case "iso8601":
		o.encoder.timeFormat = timeISO8601
	case "iso8601_ns":
		o.encoder.timeFormat = timeISO8601Nano
	}
	if o.producer, err = producerOptions(c); err != nil {
		return nil, err
	}
	o.slots = make(chan struct{}, c.Int("rdkafka.queue.buffering.max.messages"))
	o.queueWait = time.Duration(c.Int("queue_full_retries")) * time.Second
	kafkaconn.WarnIgnored(c, o.logger, producerIgnored)
	if c.IsSet("group_id") {
		o.logger.Warn("group_id has no effect on a producer; remove it to silence this warning")
	}
	return o, nil
}

// clientFor returns the producer client, creating it on first use.
func (o *Output) clientFor() (*kgo.Client, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.client != nil {
		return o.client, nil
	}
	opts, err := o.conn.Options(o.logger)
	if err != nil {
		return nil, err
	}
	opts = append(opts, o.producer...)
	opts = append(opts, kgo.MaxBufferedRecords(cap(o.slots)))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("output %s: create Kafka producer: %w", o.id, err)
	}
	o.client = cl
	return cl, nil
}

// flushState is the per-Flush bookkeeping, pooled: the encoded values of
// the chunk in one buffer, the records handed to the client, and the
// outcome of each.
type flushState struct {
	buf     []byte
	offsets []int // record i's value is buf[offsets[i]:offsets[i+1]]
	records []kgo.Record
	errs    []error
	wg      sync.WaitGroup
}

var statePool = sync.Pool{New: func() any { return new(flushState) }}

// Flush produces every record of chunk and waits for all acknowledgements.
// Records the brokers failed are returned with plugin.Partial (the engine
// retries only them); records that can never be produced (too large, no
// raw_log_key) are dropped as permanent once they are all that is left.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	cl, err := o.clientFor()
	if err != nil {
		return err
	}
	st := statePool.Get().(*flushState)
	defer func() {
		clear(st.records) // drop references to keys in chunk.Data
		st.buf, st.offsets, st.records, st.errs = st.buf[:0], st.offsets[:0], st.records[:0], st.errs[:0]
		if cap(st.buf) <= 16<<20 {
			statePool.Put(st)
		}
	}()
	if err := o.encode(st, chunk); err != nil {
		return err
	}
	o.produce(ctx, cl, st)
	st.wg.Wait()
	for _, err := range st.errs {
		if stuckProducerID(err) {
			o.retire(cl, err)
			break
		}
	}
	return o.outcome(chunk, st.errs)
}

// stuckProducerID tells the refusals of InitProducerID that franz-go keeps
// for the life of its client: once the brokers refused the idempotent
// producer's ID (no IdempotentWrite on the cluster nor Write on any topic),
// every later produce fails with the same error, even after the ACL or IAM
// policy is fixed.
func stuckProducerID(err error) bool {
	return errors.Is(err, kerr.ClusterAuthorizationFailed) || errors.Is(err, kerr.TransactionalIDAuthorizationFailed)
}

// retire closes cl so that the next Flush builds a new client and asks for
// a producer ID again: a refusal that has been fixed in the meantime then
// ends, and the retried records are delivered.
func (o *Output) retire(cl *kgo.Client, cause error) {
	o.mu.Lock()
	if o.client != cl {
		o.mu.Unlock()
		return // another worker retired it already
	}
	o.client = nil
	o.mu.Unlock()
	o.logger.Warn("Kafka producer refused by the brokers; reconnecting with a new client at the next attempt", "error", cause)
	cl.Close() // flushes of other workers on it fail with ErrClientClosed and are retried
}

// encode writes every record's value into st.buf and prepares its
// kgo.Record; values are sub-slices of st.buf, so they are set once the
// buffer has stopped growing.
func (o *Output) encode(st *flushState, chunk *record.Chunk) error {
	st.offsets = append(st.offsets, 0)
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		ev := it.Event()
		var err error
		mark := len(st.buf)
		st.buf, err = o.encoder.appendValue(st.buf, ev)
		if err != nil {
			st.buf = st.buf[:mark]
		}
		// Timestamp stays zero: the client stamps the produce time, as
		// librdkafka does, and measures rdkafka.message.timeout.ms from it.
		st.records = append(st.records, kgo.Record{
			Topic: o.router.topic(ev.Body),
			Key:   messageKey(ev.Body, o.keyField, o.key),
		})
		st.errs = append(st.errs, err)
		st.offsets = append(st.offsets, len(st.buf))
	}
	if err := it.Err(); err != nil {
		if len(st.records) == 0 {
			return plugin.PermanentReason(plugin.ReasonMalformed, fmt.Errorf("output %s: chunk of tag %q has no valid record: %w", o.id, chunk.Tag, err))
		}
		// The bytes after a malformed record cannot be framed: the records
		// after it are reported dropped (outcome) and the others produced.
		for len(st.errs) < chunk.Records {
			st.records = append(st.records, kgo.Record{})
			st.errs = append(st.errs, fmt.Errorf("malformed record: %w", err))
			st.offsets = append(st.offsets, len(st.buf))
		}
	}
	for i := range st.records {
		st.records[i].Value = st.buf[st.offsets[i]:st.offsets[i+1]:st.offsets[i+1]]
	}
	return nil
}

// produce hands the encodable records to the client; each promise records
// its outcome in st.errs and releases its queue slot.
func (o *Output) produce(ctx context.Context, cl *kgo.Client, st *flushState) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for i := range st.records {
		if st.errs[i] != nil {
			continue
		}
		select {
		case o.slots <- struct{}{}:
		default:
			if !o.waitSlot(ctx, &timer) {
				err := fmt.Errorf("producer queue stayed full for %s (queue_full_retries); the engine retries the rest", o.queueWait)
				if ctx.Err() != nil {
					err = ctx.Err()
				}
				for j := i; j < len(st.records); j++ {
					if st.errs[j] == nil {
						st.errs[j] = err
					}
				}
				return
			}
		}
		st.wg.Add(1)
		cl.Produce(ctx, &st.records[i], func(_ *kgo.Record, err error) {
			st.errs[i] = err
			<-o.slots
			st.wg.Done()
		})
	}
}

// waitSlot waits for a queue slot for up to queueWait (forever when 0).
func (o *Output) waitSlot(ctx context.Context, timer **time.Timer) bool {
	var expired <-chan time.Time
	if o.queueWait > 0 {
		if *timer == nil {
			*timer = time.NewTimer(o.queueWait)
		} else {
			(*timer).Reset(o.queueWait)
		}
		expired = (*timer).C
	}
	select {
	case o.slots <- struct{}{}:
		return true
	case <-expired:
		return false
	case <-ctx.Done():
		return false
	}
}

// outcome classifies the per-record results of a flush. Records Sluice
// itself cannot produce (no raw_log_key, malformed) are reported dropped at
// once. Records the brokers refused for good (too large, invalid) are
// retried with the others that failed, since a refused batch fails every
// record in it, and dropped by reason once they are all that is left.
func (o *Output) outcome(chunk *record.Chunk, errs []error) error {
	var (
		failed   []int
		first    error
		drops    []plugin.Drop
		refused  []plugin.Drop // the brokers' permanent refusals among failed
		nRefused int
	)
	for i, err := range errs {
		if err == nil {
			continue
		}
		reason, permanent := permanentReason(err)
		describe := func() error {
			return fmt.Errorf("output %s: records of tag %q can never be produced: %w", o.id, chunk.Tag, err)
		}
		if permanent && isLocal(err) {
			drops = addDrop(drops, reason, i, describe)
			continue
		}
		if permanent {
			refused = addDrop(refused, reason, i, describe)
			nRefused++
		}
		if first == nil {
			first = err
		}
		failed = append(failed, i)
	}
	if len(failed) > 0 && nRefused == len(failed) && len(failed)+countIndexes(drops) == len(errs) {
		// Nothing was delivered and only refused records are left.
		drops, failed = append(drops, refused...), nil
	}
	switch {
	case len(failed) == 0 && len(drops) == 0:
		return nil
	case len(failed) == 0 && len(drops) == 1 && len(drops[0].Indexes) == len(errs):
		return plugin.PermanentReason(drops[0].Reason, fmt.Errorf("%w (%d records)", drops[0].Err, len(errs)))
	case len(drops) == 0 && len(failed) == len(errs):
		return o.denied(fmt.Errorf("output %s: produce %d records of tag %q: %w", o.id, len(errs), chunk.Tag, first))
	case len(failed) == 0:
		return plugin.PartialDropped(nil, nil, drops...)
	}
	return plugin.PartialDropped(o.denied(fmt.Errorf("output %s: %d of %d records of tag %q failed: %w", o.id, len(failed), len(errs), chunk.Tag, first)), failed, drops...)
}

// denied marks err as an access refusal (plugin.AccessDenied, counted in
// sluice_output_access_denied_total) when the brokers refused the
// principal: an ACL or an MSK IAM policy without the call, or credentials
// SASL did not accept. The records stay buffered and are retried.
func (o *Output) denied(err error) error {
	switch {
	case errors.Is(err, kerr.TopicAuthorizationFailed), errors.Is(err, kerr.ClusterAuthorizationFailed),
		errors.Is(err, kerr.TransactionalIDAuthorizationFailed):
		return plugin.AccessDenied(fmt.Errorf("%w; the brokers refused this principal: with MSK IAM the role needs kafka-cluster:Connect and "+
			"kafka-cluster:WriteDataIdempotently on the cluster, kafka-cluster:DescribeTopic and kafka-cluster:WriteData on the topic (`sluice iam policy` prints the statement), otherwise check the topic's ACLs", err))
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return plugin.AccessDenied(fmt.Errorf("%w; the brokers did not accept the SASL credentials of this [OUTPUT] section (rdkafka.sasl.* or the MSK IAM role)", err))
	}
	return err
}

// isLocal tells the permanent failures Sluice finds itself, before any
// broker sees the record.
func isLocal(err error) bool {
	return errors.Is(err, errNoRawKey) || errors.Is(err, record.ErrMalformed)
}

func countIndexes(drops []plugin.Drop) int {
	n := 0
	for _, d := range drops {
		n += len(d.Indexes)
	}
	return n
}

// addDrop adds record i to the group of reason, making the group (with the
// error of its first record) when it is the first.
func addDrop(drops []plugin.Drop, reason string, i int, err func() error) []plugin.Drop {
	for k := range drops {
		if drops[k].Reason == reason {
			drops[k].Indexes = append(drops[k].Indexes, i)
			return drops
		}
	}
	return append(drops, plugin.Drop{Reason: reason, Indexes: []int{i}, Err: err()})
}

// permanentReason tells the record failures that no retry can fix (the
// record itself is unacceptable) and the drop reason each is counted
// under.
func permanentReason(err error) (string, bool) {
	switch {
	case errors.Is(err, errNoRawKey):
		return plugin.ReasonMissingKey, true
	case errors.Is(err, kerr.MessageTooLarge), errors.Is(err, kerr.RecordListTooLarge):
		return plugin.ReasonOversize, true
	case errors.Is(err, kerr.InvalidRecord), errors.Is(err, kerr.InvalidTopicException):
		return plugin.ReasonRejected, true
	case errors.Is(err, record.ErrMalformed):
		return plugin.ReasonMalformed, true
	}
	return "", false
}

// Close waits for what the producer still holds (nothing, once every Flush
// has returned) and closes the connections.
func (o *Output) Close(ctx context.Context) error {
	o.mu.Lock()
	cl := o.client
	o.client = nil
	o.mu.Unlock()
	if cl == nil {
		return nil
	}
	err := cl.Flush(ctx)
	cl.Close()
	if err != nil {
		return fmt.Errorf("output %s: flush Kafka producer at shutdown: %w", o.id, err)
	}
	return nil
}
