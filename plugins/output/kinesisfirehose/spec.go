package kinesisfirehose

import (
	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the kinesis_firehose output with Fluent Bit's parameters.
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "delivery_stream", Required: true, Doc: "name of the Firehose delivery stream the records are sent to"},
		{Name: "data_keys", Type: plugin.TypeCommaList, Doc: "send only these top-level keys of each record (comma-separated)"},
		{Name: "log_key", Doc: "send only the value of this key (a string as is, other values as JSON) instead of the whole record"},
		{Name: "time_key", Doc: "add the record time to each record under this key"},
		{Name: "time_key_format", Default: "%Y-%m-%dT%H:%M:%S", Doc: "strftime format of time_key (UTC); %3N milliseconds, %9N or %L nanoseconds"},
		{Name: "compression", Options: []string{"gzip"}, Doc: "compress each Firehose record: gzip"},
		{Name: "simple_aggregation", Type: plugin.TypeBool, Default: "false", Doc: "join several records into one Firehose record of up to 1,000 KiB"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "kinesis_firehose",
		Summary: "send records to an Amazon Data Firehose delivery stream (PutRecordBatch), resending only the records that failed",
		Params:  append(params, awsconf.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name             kinesis_firehose
    Match            *
    region           us-east-1
    delivery_stream  my-stream`,
			`[OUTPUT]
    Name             kinesis_firehose
    Match            app.*
    region           eu-west-1
    delivery_stream  app-logs
    time_key         time
    time_key_format  %Y-%m-%dT%H:%M:%S.%3NZ
    compression      gzip
    role_arn         arn:aws:iam::123456789012:role/firehose-writer
    workers          2`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
