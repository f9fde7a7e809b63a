package iam

import (
	"fmt"

	"github.com/sluice-logs/sluice/internal/config"
)

// kinesisFirehose derives the calls of a kinesis_firehose output: Fluent
// Bit's plugin sends records with PutRecordBatch only, authorised against
// the delivery stream's ARN (arn:aws:firehose:R:A:deliverystream/NAME).
func kinesisFirehose(sect *config.Section, s Section, env Env) ([]Requirement, error) {
	name := param(sect, "delivery_stream")
	if name == "" {
		return nil, fmt.Errorf("delivery_stream is not set")
	}
	region := env.region(sect)
	arn := fmt.Sprintf("arn:%s:firehose:%s:%s:deliverystream/%s", env.partition(region), region, env.account(), name)
	return []Requirement{{Section: s, Action: "firehose:PutRecordBatch", Resource: arn, Param: "delivery_stream", Reason: "send the records"}}, nil
}

// kinesisStreams derives the calls of a kinesis_streams output: Fluent
// Bit's plugin sends records with PutRecords only (it never describes the
// stream), authorised against arn:aws:kinesis:R:A:stream/NAME.
func kinesisStreams(sect *config.Section, s Section, env Env) ([]Requirement, error) {
	name := param(sect, "stream")
	if name == "" {
		return nil, fmt.Errorf("stream is not set")
	}
	region := env.region(sect)
	arn := fmt.Sprintf("arn:%s:kinesis:%s:%s:stream/%s", env.partition(region), region, env.account(), name)
	return []Requirement{{Section: s, Action: "kinesis:PutRecords", Resource: arn, Param: "stream", Reason: "send the records"}}, nil
}
