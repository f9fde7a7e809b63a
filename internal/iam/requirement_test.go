package iam

import (
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
)

func model(t *testing.T, src string) *config.Model {
	t.Helper()
	m, _, err := config.ParseClassic("test.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// calls renders requirements as "action resource" lines, with "@role" for
// calls made with an assumed role.
func calls(rs []Requirement) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Action + " " + r.Resource)
		if r.Principal != "" {
			b.WriteString(" @" + r.Principal)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestDerive(t *testing.T) {
	const cwl = "arn:aws:logs:ap-northeast-1:123456789012:log-group:"
	tests := []struct {
		name, conf string
		env        Env
		want       string
	}{
		{"seed extra.conf", `
[OUTPUT]
    Name   cloudwatch_logs
    Match  *
    region ap-northeast-1
    log_group_name /ecs/logs/sample-test
    log_stream_name webapp
    auto_create_group true
`, Env{Account: "123456789012"}, `logs:PutLogEvents ` + cwl + `/ecs/logs/sample-test:log-stream:webapp
logs:CreateLogStream ` + cwl + `/ecs/logs/sample-test:log-stream:webapp
logs:CreateLogGroup ` + cwl + `/ecs/logs/sample-test:log-stream:
`},
		{"no auto_create_group, retention ignored without it", `
[OUTPUT]
    Name cloudwatch_logs
    region ap-northeast-1
    log_group_name g
    log_stream_prefix app-
    log_retention_days 7
`, Env{Account: "123456789012"}, `logs:PutLogEvents ` + cwl + `g:log-stream:app-*
logs:CreateLogStream ` + cwl + `g:log-stream:app-*
`},
		{"retention and tags with auto_create_group", `
[OUTPUT]
    Name cloudwatch_logs
    region ap-northeast-1
    log_group_name g
    log_stream_name s
    auto_create_group on
    log_retention_days 7
    new_log_group_tags team=a
`, Env{Account: "123456789012"}, `logs:PutLogEvents ` + cwl + `g:log-stream:s
logs:CreateLogStream ` + cwl + `g:log-stream:s
logs:CreateLogGroup ` + cwl + `g:log-stream:
logs:TagResource ` + cwl + `g:log-stream:
logs:PutRetentionPolicy ` + cwl + `g:log-stream:
`},
		{"templates become wildcards, static names are the fallback", `
[OUTPUT]
    Name cloudwatch_logs
    region ap-northeast-1
    log_group_name fallback
    log_group_template /eks/$kubernetes['namespace_name']
    log_stream_name s
    log_stream_template $TAG[1].$kubernetes['pod_name']
`, Env{Account: "123456789012"}, `logs:PutLogEvents ` + cwl + `fallback:log-stream:s
logs:CreateLogStream ` + cwl + `fallback:log-stream:s
logs:PutLogEvents ` + cwl + `fallback:log-stream:*.*
logs:CreateLogStream ` + cwl + `fallback:log-stream:*.*
logs:PutLogEvents ` + cwl + `/eks/*:log-stream:s
logs:CreateLogStream ` + cwl + `/eks/*:log-stream:s
logs:PutLogEvents ` + cwl + `/eks/*:log-stream:*.*
logs:CreateLogStream ` + cwl + `/eks/*:log-stream:*.*
`},
		{"unknown region and account, china partition", `
[OUTPUT]
    Name kinesis_firehose
    delivery_stream d
[OUTPUT]
    Name kinesis_streams
    region cn-north-1
    stream s
`, Env{}, `firehose:PutRecordBatch arn:aws:firehose:${Region}:${Account}:deliverystream/d
kinesis:PutRecords arn:aws-cn:kinesis:cn-north-1:${Account}:stream/s
`},
		{"role_arn moves the calls to the role", `
[OUTPUT]
    Name kinesis_firehose
    region eu-west-1
    delivery_stream d
    role_arn arn:aws:iam::222222222222:role/logs-writer
`, Env{Account: "1"}, `sts:AssumeRole arn:aws:iam::222222222222:role/logs-writer
firehose:PutRecordBatch arn:aws:firehose:eu-west-1:1:deliverystream/d @arn:aws:iam::222222222222:role/logs-writer
`},
		{"s3 multipart with the default key format", `
[OUTPUT]
    Name s3
    bucket logs
    region us-east-1
`, Env{}, `s3:PutObject arn:aws:s3:::logs/fluent-bit-logs/*/*/*/*/*/*/*
s3:AbortMultipartUpload arn:aws:s3:::logs/fluent-bit-logs/*/*/*/*/*/*/*
`},
		{"s3 put object, canned ACL, $UUID key", `
[OUTPUT]
    Name s3
    bucket logs
    use_put_object on
    canned_acl bucket-owner-full-control
    s3_key_format /app/$TAG[0]/%Y-%m-%d/$UUID.gz
`, Env{}, `s3:PutObject arn:aws:s3:::logs/app/*/*-*-*/*.gz
s3:PutObjectAcl arn:aws:s3:::logs/app/*/*-*-*/*.gz
`},
		{"non-AWS outputs are skipped, aliases name sections", `
[OUTPUT]
    Name stdout
[OUTPUT]
    Name kinesis_streams
    Alias audit
    region eu-west-1
    stream audit
`, Env{Account: "1"}, `kinesis:PutRecords arn:aws:kinesis:eu-west-1:1:stream/audit
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Derive(model(t, tt.conf), tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := calls(rs); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestDeriveSectionIDs(t *testing.T) {
	rs, err := Derive(model(t, `
[OUTPUT]
    Name kinesis_streams
    region eu-west-1
    stream a
[OUTPUT]
    Name kinesis_streams
    Alias audit
    region eu-west-1
    stream b
[OUTPUT]
    Name kinesis_streams
    region eu-west-1
    stream c
`), Env{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.Section.ID)
	}
	// The engine counts instances per plugin, aliased ones included.
	if got := strings.Join(ids, ","); got != "kinesis_streams.0,audit,kinesis_streams.2" {
		t.Errorf("section IDs = %s", got)
	}
	if !strings.Contains(rs[0].Section.String(), "test.conf:2") {
		t.Errorf("section label %q lacks the position", rs[0].Section)
	}
}

func TestDeriveErrors(t *testing.T) {
	for _, conf := range []string{
		"[OUTPUT]\n    Name cloudwatch_logs\n    log_stream_name s\n",
		"[OUTPUT]\n    Name cloudwatch_logs\n    log_group_name g\n",
		"[OUTPUT]\n    Name cloudwatch_logs\n    log_group_name g\n    log_stream_name s\n    log_group_template $a['b\n",
		"[OUTPUT]\n    Name kinesis_firehose\n",
		"[OUTPUT]\n    Name kinesis_streams\n",
		"[OUTPUT]\n    Name s3\n",
	} {
		if _, err := Derive(model(t, conf), Env{}); err == nil {
			t.Errorf("Derive accepted %q", conf)
		} else if !strings.Contains(err.Error(), "[OUTPUT]") {
			t.Errorf("error %q does not name the section", err)
		}
	}
}

func configParse(src []byte) (*config.Model, []config.Warning, error) {
	return config.ParseClassic("extra.conf", src)
}
