package kinesisstreams

import (
	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the kinesis_streams output with Fluent Bit's parameters.
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "stream", Required: true, Doc: "name of the Kinesis data stream the records are sent to"},
		{Name: "partition_key", Doc: "record key whose value is the partition key ($a['b'] or a->b for nested keys); random when unset or missing"},
		{Name: "data_keys", Type: plugin.TypeCommaList, Doc: "send only these top-level keys of each record (comma-separated)"},
		{Name: "log_key", Doc: "send only the value of this key (a string as is, other values as JSON) instead of the whole record"},
		{Name: "time_key", Doc: "add the record time to each record under this key"},
		{Name: "time_key_format", Default: "%Y-%m-%dT%H:%M:%S", Doc: "strftime format of time_key (UTC); %3N milliseconds, %9N or %L nanoseconds"},
		{Name: "aggregation", Type: plugin.TypeBool, Default: "false", Doc: "pack records into KPL aggregated records of up to 1 MiB, which KCL consumers deaggregate"},
		{Name: "simple_aggregation", Type: plugin.TypeBool, Default: "false", Doc: "join records into Kinesis records of up to 1 MiB, newline-separated (Fluent Bit's; not deaggregated by KCL)"},
		{Name: "compression", Options: []string{"gzip", "zlib"}, Doc: "compress each record: gzip or zlib"},
		{Name: "port", Type: plugin.TypeInt, Default: "443", Min: 1, Max: 65535, Doc: "TCP port of the Kinesis endpoint; applies to a custom endpoint written without one"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "kinesis_streams",
		Summary: "send records to an Amazon Kinesis data stream (PutRecords), resending only the records that failed",
		Params:  append(params, awsconf.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name    kinesis_streams
    Match   *
    region  us-east-1
    stream  my-stream`,
			`[OUTPUT]
    Name           kinesis_streams
    Match          kube.*
    region         eu-west-1
    stream         cluster-logs
    partition_key  $kubernetes['pod_name']
    aggregation    on
    compression    gzip
    time_key       time`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
