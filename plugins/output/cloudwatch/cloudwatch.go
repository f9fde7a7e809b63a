package cloudwatch

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
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
		plugin.Param{Name: "credentials_endpoint", Doc: "not supported: set AWS_CONTAINER_CREDENTIALS_FULL_URI instead"},
	)
	for n, why := range ignored {
		params = append(params, plugin.Param{Name: n, Doc: "accepted and ignored: " + why})
	}
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
var variable = regexp.MustCompile(`[$#]\(([^)]*)\)`)

// translate turns a Go plugin template into a record accessor template,
// and reports whether it had variables.
func translate(s string) (string, bool, error) {
	var err error
	out := variable.ReplaceAllStringFunc(s, func(m string) string {
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

// New maps the section onto a cloudwatch_logs section and builds that
// output.
func New(s plugin.Settings) (plugin.Output, error) {
	c := s.Config
	if c.IsSet("credentials_endpoint") {
		return nil, c.Errorf("credentials_endpoint", "not supported by Sluice; set AWS_CONTAINER_CREDENTIALS_FULL_URI to that endpoint instead")
	}
	sect := &config.Section{Kind: config.KindOutput}
	add := func(k, v string) { sect.Params = append(sect.Params, config.Param{Key: k, Value: v}) }
	add("Name", "cloudwatch_logs")
	for _, n := range same {
		if c.IsSet(n) {
			add(n, c.String(n))
		}
	}
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
	for n, why := range ignored {
		if c.IsSet(n) {
			notes = append(notes, fmt.Sprintf("%s ignored: %s", n, why))
		}
	}
	spec := cloudwatchlogs.Spec()
	cfg, err := plugin.Decode(&spec, sect, c.Label())
	if err != nil {
		return nil, reposition(c, err)
	}
	if s.Logger != nil {
		s.Logger.Info("the aws-for-fluent-bit Go plugin cloudwatch is served by Sluice's cloudwatch_logs output", "notes", strings.Join(notes, "; "))
	}
	s.Config = cfg
	out, err := cloudwatchlogs.New(s)
	if err != nil {
		return nil, reposition(c, err)
	}
	return out, nil
}

// goName is the Go plugin's parameter behind a cloudwatch_logs one.
var goName = map[string]string{"log_group_template": "log_group_name", "log_stream_template": "log_stream_name"}

// reposition turns the errors of the mapped cloudwatch_logs section back
// into errors at the user's own section and parameter lines.
func reposition(c *plugin.Config, err error) error {
	var errs []error
	for _, e := range flatten(err) {
		var ce *config.Error
		if !errors.As(e, &ce) {
			errs = append(errs, c.Errorf("Name", "served by cloudwatch_logs: %v", e))
			continue
		}
		name, msg, ok := strings.Cut(ce.Msg, ": ")
		if !ok {
			name, msg = "Name", ce.Msg
		}
		if g, found := goName[name]; found {
			name = g
		}
		if !declared(name) {
			name, msg = "Name", ce.Msg
		}
		if ce.Hint != "" {
			msg += "; " + ce.Hint
		}
		errs = append(errs, c.Errorf(name, "%s (served by cloudwatch_logs)", msg))
	}
	return errors.Join(errs...)
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// declared reports whether name is a parameter of this output's Spec.
func declared(name string) bool {
	for _, p := range Spec().Params {
		if strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}
