package kinesisstreams

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/awsrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// PutRecords quotas (Amazon Kinesis Data Streams API reference, PutRecords).
const (
	// MaxRecordBytes bounds one record's data plus its partition key.
	MaxRecordBytes = 1 << 20
	// MaxCallBytes bounds one call's data plus partition keys.
	MaxCallBytes = 5 << 20
	// MaxCallRecords is the most records one PutRecords call may carry.
	MaxCallRecords = 500
	// MaxPartitionKey is the longest partition key, in Unicode characters.
	MaxPartitionKey = 256
)

// recordsPutter is the one Kinesis call this output makes.
type recordsPutter interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// compression is how each record's data is compressed.
type compression uint8

const (
	compressNone compression = iota
	compressGzip
	compressZlib
)

// Output sends chunks to one data stream. It is safe for concurrent Flush
// calls (Workers).
type Output struct {
	id        string
	stream    string
	format    awsrecord.Format
	keyPath   *accessor.Path // nil: random partition keys
	compress  compression
	aggregate bool
	simple    bool // simple_aggregation
	aws       awsconf.Settings
	logger    *slog.Logger
	call      awsconf.Call
	limits    awsrecord.Limits
	maxRecord int

	mu  sync.Mutex
	api recordsPutter

	states sync.Pool
}

// New validates the configuration of a kinesis_streams section. The AWS
// client is made on the first Flush.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		id:        s.ID,
		stream:    c.String("stream"),
		aggregate: c.Bool("aggregation"),
		simple:    c.Bool("simple_aggregation"),
		aws:       awsconf.FromConfig(c, s.ID),
		logger:    s.Logger,
		limits:    awsrecord.Limits{Records: MaxCallRecords, CallBytes: MaxCallBytes},
		maxRecord: MaxRecordBytes,
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.stream == "" {
		return nil, fmt.Errorf("output %s: stream is empty; set it to the name of the Kinesis data stream", s.ID)
	}
	if o.aggregate && o.simple {
		return nil, c.Errorf("simple_aggregation", "cannot be combined with aggregation; choose KPL aggregation (deaggregated by KCL) or simple_aggregation (newline-joined records)")
	}
	if c.IsSet("port") && c.Int("port") != 443 {
		if o.aws.Endpoint == "" {
			o.logger.Warn("port is ignored without endpoint: AWS's Kinesis endpoints listen on 443", "port", c.Int("port"))
		} else if u, err := url.Parse(o.aws.Endpoint); err == nil && u.Port() == "" {
			u.Host += ":" + strconv.FormatInt(c.Int("port"), 10)
			o.aws.Endpoint = u.String()
		}
	}
	switch c.String("compression") {
	case "gzip":
		o.compress = compressGzip
	case "zlib":
		o.compress = compressZlib
	}
	if k := c.String("partition_key"); k != "" {
		p, err := accessor.ParseKey(goPluginKey(k))
		if err != nil {
			return nil, c.Errorf("partition_key", "invalid key %q: %v; write a key, $a['b'] or a->b", k, err)
		}
		o.keyPath = p
	}
	o.format = awsrecord.Format{LogKey: c.String("log_key"), DataKeys: c.List("data_keys"), TimeKey: c.String("time_key")}
	if o.format.TimeKey != "" {
		o.format.AppendTime = awsrecord.StrftimeValue(awsrecord.CompileStrftime(c.String("time_key_format")))
	}
	region := o.aws.Region
	if region == "" {
		region = "*"
	}
	o.call = awsconf.Call{Section: s.ID, Action: "kinesis:PutRecords", Resource: "arn:aws:kinesis:" + region + ":*:stream/" + o.stream,
		Missing: &awsconf.Missing{What: "Kinesis stream", Name: o.stream, Region: o.aws.Region, Param: "stream"}}
	o.states.New = func() any { return new(flushState) }
	return o, nil
}

// goPluginKey turns the Go plugin's nested form a->b->c into the record
// accessor $a['b']['c']; other forms pass through.
func goPluginKey(k string) string {
	if strings.HasPrefix(k, "$") || !strings.Contains(k, "->") {
		return k
	}
	parts := strings.Split(k, "->")
	var b strings.Builder
	b.WriteString("$" + parts[0])
	for _, p := range parts[1:] {
		b.WriteString("['" + p + "']")
	}
	return b.String()
}

// client returns the Kinesis client, loading the AWS configuration on
// first use.
func (o *Output) client(ctx context.Context) (recordsPutter, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.api != nil {
		return o.api, nil
	}
	cfg, err := awsconf.Load(ctx, o.aws)
	if err != nil {
		return nil, err
	}
	o.api = kinesis.NewFromConfig(cfg)
	return o.api, nil
}
