// Package kinesis accepts the output of aws-for-fluent-bit's Go plugin
// `kinesis` (amazon-kinesis-streams-for-fluent-bit), with its own
// parameters, and serves it with Sluice's kinesis_streams output, logging a
// notice that says so.
//
// region, stream, partition_key, data_keys, log_key, role_arn, endpoint,
// sts_endpoint, time_key, aggregation and compression keep their meaning.
// time_key_format is rewritten for the core output (the Go plugin's %L
// milliseconds and %f microseconds become %3N and %6N).
// experimental_concurrency, experimental_concurrency_retries, append_newline
// and http_request_timeout are accepted and ignored (with the reason in the
// notice); replace_dots is a configuration error, as kinesis_streams cannot
// rename keys.
package kinesis

import (
	"github.com/sluice-logs/sluice/internal/goplugin"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/plugins/output/kinesisstreams"
)

var mapping = goplugin.Mapping{
	Plugin: "kinesis",
	Target: kinesisstreams.Spec,
	Same:   []string{"region", "stream", "partition_key", "data_keys", "log_key", "role_arn", "endpoint", "sts_endpoint", "time_key", "aggregation", "compression"},
	Ignored: map[string]string{
		"experimental_concurrency":         "use Workers for concurrent flushes",
		"experimental_concurrency_retries": "the engine retries with backoff (Retry_Limit)",
		"append_newline":                   "records are sent as kinesis_streams sends them",
		"http_request_timeout":             "requests are bounded by the AWS client's timeout",
	},
	Unsupported: map[string]string{"replace_dots": "kinesis_streams sends keys as they are; rename them with a modify or lua filter"},
	Translate: func(c *plugin.Config, add func(key, value string)) ([]string, error) {
		if c.IsSet("time_key_format") {
			add("time_key_format", goplugin.TimeKeyFormat(c.String("time_key_format")))
		}
		return nil, nil
	},
}

// Spec declares the kinesis output: the Go plugin's parameters.
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "region", Doc: "AWS region of the stream"},
		{Name: "stream", Required: true, Doc: "name of the Kinesis data stream"},
		{Name: "partition_key", Doc: "record key whose value is the partition key; random when unset"},
		{Name: "data_keys", Doc: "send only these top-level keys, comma-separated"},
		{Name: "log_key", Doc: "send only this key's value"},
		{Name: "role_arn", Doc: "IAM role to assume"},
		{Name: "endpoint", Doc: "custom Kinesis endpoint"},
		{Name: "sts_endpoint", Doc: "custom STS endpoint"},
		{Name: "time_key", Doc: "add the record time under this key"},
		{Name: "time_key_format", Doc: "strftime format of time_key; %L milliseconds, %f microseconds (the Go plugin's)"},
		{Name: "aggregation", Doc: "KPL aggregation of records"},
		{Name: "compression", Doc: "compress each record: zlib or gzip"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "kinesis",
		Summary: "aws-for-fluent-bit's Go Kinesis Data Streams plugin, served by kinesis_streams",
		Params:  append(params, mapping.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name           kinesis
    Match          *
    region         us-west-2
    stream         my-kinesis-stream-name
    partition_key  container_id
    append_newline true`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return mapping.Build(s, Spec()) },
	}
}
