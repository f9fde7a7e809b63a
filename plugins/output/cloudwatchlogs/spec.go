package cloudwatchlogs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// retentionDays are the values PutRetentionPolicy accepts (CloudWatch Logs
// API reference).
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func checkRetention(raw string) error {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err == nil && n == 0 {
		return nil
	}
	for _, v := range retentionDays {
		if err == nil && v == n {
			return nil
		}
	}
	vals := make([]string, len(retentionDays))
	for i, v := range retentionDays {
		vals[i] = strconv.Itoa(v)
	}
	return fmt.Errorf("invalid value %q; valid values are 0 (never expire) and %s", raw, strings.Join(vals, ", "))
}

// parseTags reads new_log_group_tags: key=value pairs separated by commas.
func parseTags(raw string) (map[string]string, error) {
	tags := map[string]string{}
	for _, pair := range strings.Split(raw, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			return nil, fmt.Errorf("invalid tag %q; write key=value pairs separated by commas, e.g. team=payments,env=prod", pair)
		}
		tags[k] = strings.TrimSpace(v)
	}
	return tags, nil
}

func checkTags(raw string) error {
	_, err := parseTags(raw)
	return err
}

// Spec declares the cloudwatch_logs output with the parameters of Fluent
// Bit's (plugins/out_cloudwatch_logs config_map) plus the common AWS
// parameters of awsconf.Params. Workers is the engine's common parameter.
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "log_group_name", Required: true, Doc: "log group the records go to; the fallback when log_group_template cannot be rendered"},
		{Name: "log_group_template", Doc: "log group per record, in record accessor syntax ($kubernetes['namespace_name'], $TAG, $TAG[n]); log_group_name when a variable is missing",
			Check: checkTemplate},
		{Name: "log_stream_name", Doc: "log stream the records go to; not with log_stream_prefix"},
		{Name: "log_stream_prefix", Doc: "prefix of the log stream name, followed by the record tag; not with log_stream_name"},
		{Name: "log_stream_template", Doc: "log stream per record, in record accessor syntax; log_stream_name or prefix+tag when a variable is missing",
			Check: checkTemplate},
		{Name: "log_key", Doc: "send only the value of this key (a string as is, anything else as JSON) instead of the whole record as JSON"},
		{Name: "log_format", Doc: "format of the events for CloudWatch: json/emf marks them as Embedded Metric Format, so CloudWatch extracts metrics",
			Check: func(raw string) error {
				switch strings.ToLower(strings.TrimSpace(raw)) {
				case "", "json", "json/emf":
					return nil
				}
				return fmt.Errorf("invalid value %q; valid values are json and json/emf", raw)
			}},
		{Name: "metric_namespace", Doc: "with log_format json/emf, the CloudWatch metric namespace of records without an _aws block: their numeric fields become metrics"},
		{Name: "metric_dimensions", Doc: "with metric_namespace, dimension keys: comma-separated keys form a set, semicolons separate sets (a,b;c)"},
		{Name: "auto_create_group", Type: plugin.TypeBool, Default: "false", Doc: "create the log group when it does not exist (log streams are always created)"},
		{Name: "log_group_class", Default: "STANDARD", Options: []string{"STANDARD", "INFREQUENT_ACCESS"}, Doc: "class of log groups this output creates"},
		{Name: "log_retention_days", Type: plugin.TypeInt, Default: "0", Check: checkRetention,
			Doc: "retention set on log groups this output creates, in days (0: never expire)"},
		{Name: "new_log_group_tags", Check: checkTags,
			Doc: "tags of log groups this output creates, as key=value pairs separated by commas (the parameter of AWS's Go cloudwatch plugin)"},
		{Name: "add_entity", Type: plugin.TypeBool, Default: "false",
			Doc: "add the Application Signals entity to PutLogEvents calls; not supported yet, on is a configuration error"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "cloudwatch_logs",
		Summary: "send records to Amazon CloudWatch Logs",
		Params:  append(params, awsconf.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name               cloudwatch_logs
    Match              *
    region             ap-northeast-1
    log_group_name     /ecs/logs/sample-test
    log_stream_name    webapp
    auto_create_group  true`,
			`[OUTPUT]
    Name                 cloudwatch_logs
    Match                kube.*
    region               us-east-1
    log_group_name       /eks/fallback
    log_group_template   /eks/$kubernetes['namespace_name']
    log_stream_prefix    node-
    log_stream_template  $kubernetes['pod_name'].$kubernetes['container_name']
    auto_create_group    on
    log_retention_days   30
    Workers              2`,
			`[OUTPUT]
    Name              cloudwatch_logs
    Match             metrics.*
    region            eu-west-1
    log_group_name    /app/metrics
    log_stream_name   emf
    log_format        json/emf
    metric_namespace  MyApp
    metric_dimensions service,host
    role_arn          arn:aws:iam::123456789012:role/metrics-writer`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
