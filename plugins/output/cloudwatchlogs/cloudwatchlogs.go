package cloudwatchlogs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var (
	_ plugin.Output = (*Output)(nil)
	_ plugin.Closer = (*Output)(nil)
)

// logsAPI lists the CloudWatch Logs calls the output makes; the SDK client
// implements it.
type logsAPI interface {
	PutLogEvents(ctx context.Context, in *cwl.PutLogEventsInput, opts ...func(*cwl.Options)) (*cwl.PutLogEventsOutput, error)
	CreateLogGroup(ctx context.Context, in *cwl.CreateLogGroupInput, opts ...func(*cwl.Options)) (*cwl.CreateLogGroupOutput, error)
	CreateLogStream(ctx context.Context, in *cwl.CreateLogStreamInput, opts ...func(*cwl.Options)) (*cwl.CreateLogStreamOutput, error)
	PutRetentionPolicy(ctx context.Context, in *cwl.PutRetentionPolicyInput, opts ...func(*cwl.Options)) (*cwl.PutRetentionPolicyOutput, error)
}

// streamsInFlight bounds the log streams one Flush sends to at once.
const streamsInFlight = 8

// Output sends chunks to CloudWatch Logs. It is safe for concurrent use by
// the engine's Workers: calls to one log stream are serialised (so its
// events arrive in order and a sequence token is never used twice), calls
// to different streams run in parallel.
type Output struct {
	id     string
	logger *slog.Logger
	aws    awsconf.Settings

	group        string
	groupTpl     *accessor.Template
	stream       string
	streamPrefix string
	streamTpl    *accessor.Template
	logKey       *accessor.Path
	emfHeader    bool
	emf          *emfFormat
	createGroup  bool
	groupClass   string
	retention    int32
	groupTags    map[string]string

	clientMu sync.Mutex
	api      logsAPI // nil until the first Flush builds it

	streamsMu sync.Mutex // guards streams, lastSweep and each state's users and lastUsed
	streams   map[destination]*streamState
	lastSweep time.Time

	pool sync.Pool // *flushState
}

// streamState is what the output knows about one log stream.
type streamState struct {
	mu    sync.Mutex // held while sending to the stream
	token *string    // the legacy sequence token the server last returned

	users    int       // Flushes using the state (guarded by Output.streamsMu)
	lastUsed time.Time // when the last one ended (guarded by Output.streamsMu)
}

// New returns a cloudwatch_logs output configured by s.Config (see Spec).
// It validates the configuration; the AWS client is built by the first
// Flush.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		id:           s.ID,
		logger:       s.Logger,
		aws:          awsconf.FromConfig(c, s.ID),
		group:        c.String("log_group_name"),
		stream:       c.String("log_stream_name"),
		streamPrefix: c.String("log_stream_prefix"),
		createGroup:  c.Bool("auto_create_group"),
		groupClass:   c.String("log_group_class"),
		retention:    int32(c.Int("log_retention_days")),
		streams:      map[destination]*streamState{},
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case o.stream != "" && o.streamPrefix != "":
		return nil, c.Errorf("log_stream_prefix", "set either log_stream_name or log_stream_prefix, not both")
	case o.stream == "" && o.streamPrefix == "":
		return nil, c.Errorf("log_stream_name", "set log_stream_name, or log_stream_prefix to name streams after the tag")
	}
	if c.Bool("add_entity") {
		return nil, c.Errorf("add_entity", "add_entity is not supported yet; remove it or set it off")
	}
	var err error
	if o.groupTags, err = parseTags(c.String("new_log_group_tags")); err != nil {
		return nil, c.Errorf("new_log_group_tags", "%v", err)
	}
	if t := c.String("log_group_template"); t != "" {
		if o.groupTpl, err = accessor.ParseTemplate(t); err != nil {
			return nil, c.Errorf("log_group_template", "%v", err)
		}
	}
	if t := c.String("log_stream_template"); t != "" {
		if o.streamTpl, err = accessor.ParseTemplate(t); err != nil {
			return nil, c.Errorf("log_stream_template", "%v", err)
		}
	}
	if k := c.String("log_key"); k != "" {
		if o.logKey, err = accessor.ParseKey(k); err != nil {
			return nil, c.Errorf("log_key", "%v", err)
		}
	}
	if strings.EqualFold(c.String("log_format"), "json/emf") {
		o.emfHeader = true
		if ns := c.String("metric_namespace"); ns != "" {
			o.emf = newEMF(ns, c.String("metric_dimensions"))
		}
	} else if c.IsSet("metric_namespace") {
		return nil, c.Errorf("metric_namespace", "metric_namespace needs log_format json/emf")
	}
	return o, nil
}

func checkTemplate(raw string) error {
	_, err := accessor.ParseTemplate(raw)
	return err
}

// client returns the SDK client, building it on first use. A failure is
// returned (and retried by the engine) rather than cached.
func (o *Output) client(ctx context.Context) (logsAPI, error) {
	o.clientMu.Lock()
	defer o.clientMu.Unlock()
	if o.api != nil {
		return o.api, nil
	}
	cfg, err := awsconf.Load(ctx, o.aws)
	if err != nil {
		return nil, err
	}
	o.api = cwl.NewFromConfig(cfg, func(opts *cwl.Options) {
		opts.Protocol = putLogEventsProtocol{opts.Protocol}
	})
	return o.api, nil
}

// putOptions are the per-call options of PutLogEvents: the
// x-amzn-logs-format header of log_format json/emf, as Fluent Bit sends it.
func (o *Output) putOptions() []func(*cwl.Options) {
	if !o.emfHeader {
		return nil
	}
	return []func(*cwl.Options){func(opts *cwl.Options) {
		opts.APIOptions = append(opts.APIOptions, smithyhttp.SetHeaderValue("x-amzn-logs-format", "json/emf"))
	}}
}

// flushState holds one Flush's reusable buffers.
type flushState struct {
	prepared preparedChunk
}

// Flush sends the records of chunk (see the package doc for the batching
// and error rules). When some PutLogEvents calls of the chunk succeeded and
// others failed, it returns plugin.Partial with the indexes of the records
// not delivered.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	api, err := o.client(ctx)
	if err != nil {
		return err
	}
	fs, _ := o.pool.Get().(*flushState)
	if fs == nil {
		fs = &flushState{}
	}
	defer o.pool.Put(fs)
	p := &fs.prepared
	decodeErr := o.prepare(chunk, p)
	o.warnPrepared(chunk, p)
	if decodeErr != nil && len(p.unreadable) >= chunk.Records {
		return plugin.PermanentReason(plugin.ReasonMalformed, fmt.Errorf("output %s: chunk of tag %q: %w", o.id, chunk.Tag, decodeErr))
	}

	results := make([]streamResult, len(p.dests))
	sem := make(chan struct{}, streamsInFlight)
	var wg sync.WaitGroup
	for i := range p.dests {
		if len(p.events[i]) == 0 {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = o.sendStream(ctx, api, p.dests[i], p.msgs, p.events[i])
		}()
	}
	wg.Wait()
	return o.outcome(chunk, p, results, decodeErr)
}

// streamResult is how sending one stream's events ended: delivered events
// went through; failed holds those of the call that failed with err and of
// every call after it; rejected those CloudWatch Logs took the call for
// but did not store (rejectedLogEventsInfo), described by rejectedErr.
type streamResult struct {
	delivered   int
	failed      []logEvent
	err         error
	rejected    []int
	rejectedErr error
}

// outcome turns the per-stream results into Flush's error: the records of
// failed calls are retried, and those prepare left out and those
// CloudWatch Logs rejected are reported dropped by reason.
func (o *Output) outcome(chunk *record.Chunk, p *preparedChunk, results []streamResult, decodeErr error) error {
	var failed []int
	var firstErr, retryErr error
	var drops []plugin.Drop
	delivered := 0
	for _, r := range results {
		delivered += r.delivered
		if len(r.rejected) > 0 {
			drops = append(drops, plugin.Drop{Reason: plugin.ReasonRejected, Indexes: r.rejected, Err: r.rejectedErr})
		}
		if r.err == nil {
			continue
		}
		for _, ev := range r.failed {
			failed = append(failed, int(ev.index))
		}
		if firstErr == nil {
			firstErr = r.err
		}
		if class, _, _ := plugin.Classify(r.err); class != plugin.ClassPermanent && retryErr == nil {
			retryErr = r.err
		}
	}
	drops = o.preparedDrops(drops, chunk, p, decodeErr)
	if len(failed) == 0 {
		if len(drops) == 0 {
			return nil
		}
		return plugin.PartialDropped(nil, nil, drops...)
	}
	if delivered == 0 && len(drops) == 0 {
		// Nothing went through: the whole chunk is retried (or, when every
		// failure is permanent, dropped by the engine).
		if retryErr != nil {
			return retryErr
		}
		return firstErr
	}
	slices.Sort(failed)
	return plugin.PartialDropped(firstErr, failed, drops...)
}

// preparedDrops appends the records prepare left out, as drops by reason.
func (o *Output) preparedDrops(drops []plugin.Drop, chunk *record.Chunk, p *preparedChunk, decodeErr error) []plugin.Drop {
	if n := len(p.empty); n > 0 {
		drops = append(drops, plugin.Drop{Reason: plugin.ReasonEmpty, Indexes: slices.Clone(p.empty),
			Err: fmt.Errorf("output %s: %d records of tag %q have an empty message, which CloudWatch Logs rejects", o.id, n, chunk.Tag)})
	}
	if n := len(p.noLogKey); n > 0 {
		drops = append(drops, plugin.Drop{Reason: plugin.ReasonMissingKey, Indexes: slices.Clone(p.noLogKey),
			Err: fmt.Errorf("output %s: %d records of tag %q lack the log_key %q; unset log_key to send whole records, or add the key with a filter", o.id, n, chunk.Tag, o.logKey)})
	}
	if n := len(p.unreadable); n > 0 {
		drops = append(drops, plugin.Drop{Reason: plugin.ReasonMalformed, Indexes: slices.Clone(p.unreadable),
			Err: fmt.Errorf("output %s: the last %d records of the chunk (tag %q) do not decode: %w", o.id, n, chunk.Tag, decodeErr)})
	}
	return drops
}

// warnPrepared logs what prepare had to change in a chunk; what it left
// out is reported to the engine as dropped (preparedDrops).
func (o *Output) warnPrepared(chunk *record.Chunk, p *preparedChunk) {
	if p.truncated > 0 {
		o.logger.Warn(fmt.Sprintf("output %s: truncated %d records of tag %q to %d bytes, the largest event CloudWatch Logs accepts (256 KiB less 26 bytes)",
			o.id, p.truncated, chunk.Tag, maxMessageBytes))
	}
	if p.groupFallback > 0 {
		o.logger.Error(fmt.Sprintf("output %s: log_group_template %q has no value for %d records of tag %q; sent them to log_group_name %q",
			o.id, o.groupTpl, p.groupFallback, chunk.Tag, o.group))
	}
	if p.streamFallback > 0 {
		o.logger.Error(fmt.Sprintf("output %s: log_stream_template %q has no value for %d records of tag %q; sent them to %q",
			o.id, o.streamTpl, p.streamFallback, chunk.Tag, o.staticStream(chunk.Tag)))
	}
}

// Close releases nothing: the SDK client holds only idle connections.
func (o *Output) Close(context.Context) error { return nil }
