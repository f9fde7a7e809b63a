package cloudwatch

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/goplugin"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/plugins/output/cloudwatchlogs"
)

// same lists the parameters whose name and meaning the Go plugin shares
// with cloudwatch_logs.
var same = []string{
	"region", "log_stream_prefix", "log_key", "log_format", "role_arn", "auto_create_group",
	"new_log_group_tags", "log_retention_days", "endpoint", "sts_endpoint", "external_id",
	"metric_namespace", "metric_dimensions",
}

// ignored are accepted and ignored, with the reason in the notice.
var ignored = map[string]string{
	"auto_create_stream":               "log streams are always created",
	"experimental_concurrency":         "use Workers for concurrent flushes",
	"experimental_concurrency_retries": "the engine retries with backoff (Retry_Limit)",
}

// Spec declares the cloudwatch output: the Go plugin's parameters
// (amazon-cloudwatch-logs-for-fluent-bit's README).
func Spec() plugin.Spec {
	docs := map[string]string{
		"region": "AWS region", "log_stream_prefix": "prefix of the log stream name, followed by the tag",
		"log_key": "send only this key's value", "log_format": "json/emf for Embedded Metric Format",
		"role_arn": "IAM role to assume", "auto_create_group": "create the log group when missing",
		"new_log_group_tags": "tags of created log groups: k=v,k2=v2", "log_retention_days": "retention of created log groups",
		"endpoint": "custom CloudWatch Logs endpoint", "sts_endpoint": "custom STS endpoint", "external_id": "external ID for role_arn",
		"metric_namespace": "EMF metric namespace", "metric_dimensions": "EMF dimensions",
	}
	var params []plugin.Param
	for _, n := range same {
		p := plugin.Param{Name: n, Doc: docs[n] + " (as in cloudwatch_logs)"}
		params = append(params, p)
	}
	params = append(params,
		plugin.Param{Name: "log_group_name", Required: true, Doc: "log group; may be a $(var) template"},
		plugin.Param{Name: "log_stream_name", Doc: "log stream; may be a $(var) template; not with log_stream_prefix"},
		plugin.Param{Name: "default_log_group_name", Default: "fluentbit-default", Doc: "log group when a log_group_name variable is missing"},
		plugin.Param{Name: "default_log_stream_name", Default: "/fluentbit-default", Doc: "log stream when a log_stream_name variable is missing"},
	)
	params = append(params, mapping.Params()...)
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "cloudwatch",
		Summary: "aws-for-fluent-bit's Go CloudWatch Logs plugin, served by cloudwatch_logs",
		Params:  params,
		Examples: []string{
			`[OUTPUT]
    Name               cloudwatch
    Match              *
    region             us-east-1
    log_group_name     /ecs/$(ecs_cluster)
    log_stream_prefix  from-fluent-bit-
    auto_create_group  true`,
		},
		NewOutput: New,
	}
}

// variable is a Go plugin template variable, $(...) or #(...).
var variable = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[$#]\(([^)]*)\)`) })

// translate turns a Go plugin template into a record accessor template,
// and reports whether it had variables.
func translate(s string) (string, bool, error) {
	var err error
	out := variable().ReplaceAllStringFunc(s, func(m string) string {
		v := strings.TrimSpace(m[2 : len(m)-1])
		switch {
		case v == "tag":
			return "$TAG"
		case strings.HasPrefix(v, "tag[") && strings.HasSuffix(v, "]"):
			return "$TAG" + v[3:]
		case v == "ecs_task_id":
			err = fmt.Errorf("$(ecs_task_id) is not supported; use $(ecs_task_arn), which FireLens adds to every record")
			return m
		}
		return "$" + v
	})
	return out, out != s, err
}

// mapping is the Go plugin's translation onto cloudwatch_logs.
var mapping = goplugin.Mapping{
	Plugin:      "cloudwatch",
	Target:      cloudwatchlogs.Spec,
	Same:        same,
	Ignored:     ignored,
	Unsupported: map[string]string{"credentials_endpoint": "set AWS_CONTAINER_CREDENTIALS_FULL_URI to that endpoint instead"},
	Translate:   translateNames,
}

// New maps the section onto a cloudwatch_logs section and builds that
// output.
func New(s plugin.Settings) (plugin.Output, error) { return mapping.Build(s, Spec()) }

// translateNames writes log_group_name and log_stream_name, as templates
// when they hold $(var) variables, with the default_* names as fallbacks.
func translateNames(c *plugin.Config, add func(key, value string)) ([]string, error) {
	var notes []string
	for _, pair := range []struct{ name, template, fallback string }{
		{"log_group_name", "log_group_template", "default_log_group_name"},
		{"log_stream_name", "log_stream_template", "default_log_stream_name"},
	} {
		if !c.IsSet(pair.name) {
			continue
		}
		t, templated, err := translate(c.String(pair.name))
		if err != nil {
			return nil, c.Errorf(pair.name, "%v", err)
		}
		if !templated {
			add(pair.name, t)
			continue
		}
		add(pair.template, t)
		add(pair.name, c.String(pair.fallback))
		notes = append(notes, fmt.Sprintf("%s %s as %s (fallback %s)", pair.name, c.String(pair.name), t, c.String(pair.fallback)))
	}
	return notes, nil
}
