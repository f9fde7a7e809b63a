// Package firehose accepts the output of aws-for-fluent-bit's Go plugin
// `firehose` (amazon-kinesis-firehose-for-fluent-bit), with its own
// parameters, and serves it with Sluice's kinesis_firehose output, logging
// a notice that says so.
//
// region, delivery_stream, data_keys, log_key, role_arn, endpoint,
// sts_endpoint, time_key and simple_aggregation keep their meaning.
// time_key_format is rewritten for the core output (the Go plugin's %L
// milliseconds and %f microseconds become %3N and %6N).
// experimental_concurrency and experimental_concurrency_retries are
// accepted and ignored (use Workers; the engine retries); replace_dots is
// a configuration error, as kinesis_firehose cannot rename keys.
package firehose

import (
	"github.com/sluice-logs/sluice/internal/goplugin"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/plugins/output/kinesisfirehose"
)

var mapping = goplugin.Mapping{
	Plugin: "firehose",
	Target: kinesisfirehose.Spec,
	Same:   []string{"region", "delivery_stream", "data_keys", "log_key", "role_arn", "endpoint", "sts_endpoint", "time_key", "simple_aggregation"},
	Ignored: map[string]string{
		"experimental_concurrency":         "use Workers for concurrent flushes",
		"experimental_concurrency_retries": "the engine retries with backoff (Retry_Limit)",
	},
	Unsupported: map[string]string{"replace_dots": "kinesis_firehose sends keys as they are; rename them with a modify or lua filter"},
	Translate: func(c *plugin.Config, add func(key, value string)) ([]string, error) {
		if c.IsSet("time_key_format") {
			add("time_key_format", goplugin.TimeKeyFormat(c.String("time_key_format")))
		}
		return nil, nil
	},
}

// Spec declares the firehose output: the Go plugin's parameters.
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "region", Doc: "AWS region of the delivery stream"},
		{Name: "delivery_stream", Required: true, Doc: "name of the Firehose delivery stream"},
		{Name: "data_keys", Doc: "send only these top-level keys, comma-separated"},
		{Name: "log_key", Doc: "send only this key's value"},
		{Name: "role_arn", Doc: "IAM role to assume"},
		{Name: "endpoint", Doc: "custom Firehose endpoint"},
		{Name: "sts_endpoint", Doc: "custom STS endpoint"},
		{Name: "time_key", Doc: "add the record time under this key"},
		{Name: "time_key_format", Doc: "strftime format of time_key; %L milliseconds, %f microseconds (the Go plugin's)"},
		{Name: "simple_aggregation", Doc: "join several records into one Firehose record"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "firehose",
		Summary: "aws-for-fluent-bit's Go Kinesis Data Firehose plugin, served by kinesis_firehose",
		Params:  append(params, mapping.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name             firehose
    Match            *
    region           us-west-2
    delivery_stream  my-stream
    time_key         time
    time_key_format  %Y-%m-%dT%H:%M:%S.%L%z`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return mapping.Build(s, Spec()) },
	}
}
