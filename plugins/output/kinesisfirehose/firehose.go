package kinesisfirehose

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/firehose"

	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/awsrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// PutRecordBatch quotas (Amazon Data Firehose developer guide, "Quotas").
const (
	// MaxRecordBytes is the largest Firehose record, before base64.
	MaxRecordBytes = 1000 * 1024
	// MaxCallBytes is the most data one PutRecordBatch call may carry.
	MaxCallBytes = 4 << 20
	// MaxCallRecords is the most records one PutRecordBatch call may carry.
	MaxCallRecords = 500
)

// recordBatchPutter is the one Firehose call this output makes.
type recordBatchPutter interface {
	PutRecordBatch(ctx context.Context, in *firehose.PutRecordBatchInput, opts ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error)
}

// Output sends chunks to one delivery stream. It is safe for concurrent
// Flush calls (Workers).
type Output struct {
	id        string
	stream    string
	format    awsrecord.Format
	gzip      bool
	aggregate bool
	aws       awsconf.Settings
	logger    *slog.Logger
	call      awsconf.Call
	limits    awsrecord.Limits
	maxRecord int

	mu  sync.Mutex
	api recordBatchPutter

	states sync.Pool
}

// New validates the configuration of a kinesis_firehose section. The AWS
// client is made on the first Flush.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		id:        s.ID,
		stream:    c.String("delivery_stream"),
		gzip:      c.String("compression") == "gzip",
		aggregate: c.Bool("simple_aggregation"),
		aws:       awsconf.FromConfig(c, s.ID),
		logger:    s.Logger,
		limits:    awsrecord.Limits{Records: MaxCallRecords, CallBytes: MaxCallBytes},
		maxRecord: MaxRecordBytes,
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.stream == "" {
		return nil, fmt.Errorf("output %s: delivery_stream is empty; set it to the name of the Firehose delivery stream", s.ID)
	}
	o.format = awsrecord.Format{LogKey: c.String("log_key"), DataKeys: c.List("data_keys"), TimeKey: c.String("time_key")}
	if o.format.TimeKey != "" {
		o.format.AppendTime = awsrecord.StrftimeValue(awsrecord.CompileStrftime(c.String("time_key_format")))
	}
	o.call = awsconf.Call{Section: s.ID, Action: "firehose:PutRecordBatch",
		Resource: "arn:aws:firehose:" + regionOrStar(o.aws.Region) + ":*:deliverystream/" + o.stream,
		Missing:  &awsconf.Missing{What: "Firehose delivery stream", Name: o.stream, Region: o.aws.Region, Param: "delivery_stream"}}
	o.states.New = func() any { return new(flushState) }
	return o, nil
}

func regionOrStar(r string) string {
	if r == "" {
		return "*"
	}
	return r
}

// client returns the Firehose client, loading the AWS configuration on
// first use.
func (o *Output) client(ctx context.Context) (recordBatchPutter, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.api != nil {
		return o.api, nil
	}
	cfg, err := awsconf.Load(ctx, o.aws)
	if err != nil {
		return nil, err
	}
	o.api = firehose.NewFromConfig(cfg)
	return o.api, nil
}
