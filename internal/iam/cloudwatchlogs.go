package iam

import (
	"fmt"
	"strconv"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/config"
)

// cloudWatchLogs derives the calls of a cloudwatch_logs output, following
// Fluent Bit's plugin (plugins/out_cloudwatch_logs):
//
//   - PutLogEvents for every flush, and CreateLogStream the first time a
//     stream is used (ResourceAlreadyExistsException counts as success, so
//     DescribeLogStreams is never called and is not required);
//   - CreateLogGroup only with auto_create_group, when a PutLogEvents or
//     CreateLogStream answers ResourceNotFoundException;
//   - PutRetentionPolicy only with log_retention_days > 0, right after the
//     output created a group (Fluent Bit does not change the retention of
//     groups it did not create), so only together with auto_create_group;
//   - logs:TagResource with new_log_group_tags: since 2023 CloudWatch Logs
//     authorises a CreateLogGroup that carries tags against TagResource
//     too ("An additional permission logs:TagResource is required").
//
// Which ARN each action is authorised against is the subtle part. The
// service authorisation reference lists PutLogEvents and CreateLogStream
// under the log-stream resource type
// (arn:aws:logs:R:A:log-group:GROUP:log-stream:STREAM), and CreateLogGroup,
// PutRetentionPolicy and the group-level calls under log-group. What IAM
// evaluates for the group-level calls is the group's ARN followed by
// ":log-stream:" with an empty stream name, as AWS's own AccessDenied
// messages show ("not authorized to perform: logs:CreateLogGroup on
// resource: arn:aws:logs:eu-central-1:…:log-group:/aws/lambda/x:log-stream:").
// So a Resource of "log-group:GROUP" (no suffix) matches none of these calls,
// while "log-group:GROUP:*" matches all of them, which is why the seed's
// policy and AWS's examples use that form. Requirements carry the evaluated
// ARN; the generator grants group-level actions on log-group:GROUP:* and
// stream-level ones on the exact stream ARN.
func cloudWatchLogs(sect *config.Section, s Section, env Env) ([]Requirement, error) {
	region := env.region(sect)
	base := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:", env.partition(region), region, env.account())

	groups, err := names(sect, "log_group_name", "log_group_template")
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("log_group_name is not set; set it (and log_stream_name or log_stream_prefix) so Sluice knows where the output writes")
	}
	streams, err := names(sect, "log_stream_name", "log_stream_template")
	if err != nil {
		return nil, err
	}
	if prefix := param(sect, "log_stream_prefix"); prefix != "" && param(sect, "log_stream_name") == "" {
		// The stream is the prefix followed by the record's tag.
		streams = append(streams, prefix+"*")
	}
	if len(streams) == 0 {
		return nil, fmt.Errorf("neither log_stream_name nor log_stream_prefix is set")
	}

	var rs []Requirement
	add := func(action, resource, grant, param, reason string) {
		rs = append(rs, Requirement{Section: s, Action: action, Resource: resource, Grant: grant, Param: param, Reason: reason})
	}
	for _, g := range groups {
		for _, st := range streams {
			arn := base + g + ":log-stream:" + st
			add("logs:PutLogEvents", arn, "", "log_stream_name", "send the records")
			add("logs:CreateLogStream", arn, "", "log_stream_name", "create the log stream on first use")
		}
	}
	createGroup := flag(sect, "auto_create_group", false)
	days, _ := strconv.Atoi(param(sect, "log_retention_days"))
	for _, g := range groups {
		evaluated, granted := base+g+":log-stream:", base+g+":*"
		if createGroup {
			add("logs:CreateLogGroup", evaluated, granted, "auto_create_group", "auto_create_group: create the log group when it does not exist")
			if param(sect, "new_log_group_tags") != "" {
				add("logs:TagResource", evaluated, granted, "new_log_group_tags", "new_log_group_tags: tag the log groups the output creates")
			}
			if days > 0 {
				add("logs:PutRetentionPolicy", evaluated, granted, "log_retention_days", "log_retention_days: set the retention of the log groups the output creates")
			}
		}
	}
	return dedupe(rs), nil
}

// names returns the names an output may write to: the static name of
// nameKey and, when templateKey is set, the template as a pattern with *
// for each variable (the static name is the template's fallback when a
// variable has no value, so both are needed).
func names(sect *config.Section, nameKey, templateKey string) ([]string, error) {
	var out []string
	if n := param(sect, nameKey); n != "" {
		out = append(out, n)
	}
	if tpl := param(sect, templateKey); tpl != "" {
		t, err := accessor.ParseTemplate(tpl)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", templateKey, err)
		}
		out = append(out, t.Pattern("*"))
	}
	return out, nil
}
