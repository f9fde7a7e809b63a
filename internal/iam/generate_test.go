package iam

import (
	"bytes"
	"strings"
	"testing"
)

const multiOutputConf = `
[OUTPUT]
    Name cloudwatch_logs
    Match app.*
    region eu-west-1
    log_group_name /app
    log_group_template /app/$kubernetes['namespace_name']
    log_stream_prefix pod-
    auto_create_group on
    log_retention_days 30
    team web
[OUTPUT]
    Name s3
    Alias archive
    region eu-west-1
    bucket archive-bucket
    s3_key_format /logs/$TAG/%Y/%m/%d/$UUID.gz
    team secops
[OUTPUT]
    Name kinesis_streams
    region eu-west-1
    stream audit
    team secops
[OUTPUT]
    Name kinesis_firehose
    region eu-west-1
    delivery_stream to-splunk
    role_arn arn:aws:iam::999999999999:role/firehose-writer
`

// TestGenerateRoundTrip checks that the generated policy allows every
// requirement and grants nothing more, in every format that can be read
// back (JSON directly, CloudFormation through the resolver).
func TestGenerateRoundTrip(t *testing.T) {
	for _, env := range []Env{{Account: "123456789012"}, {}} {
		reqs, err := Derive(model(t, multiOutputConf), env)
		if err != nil {
			t.Fatal(err)
		}
		pols := Generate(reqs)
		if len(pols) != 2 || pols[0].Principal != "" || pols[1].Principal != "arn:aws:iam::999999999999:role/firehose-writer" {
			t.Fatalf("policies for %v, want the task role's and the assumed role's", pols)
		}
		var js bytes.Buffer
		if err := Render(&js, pols[:1], FormatJSON, "test.conf"); err != nil {
			t.Fatal(err)
		}
		doc, err := ParsePolicy("generated.json", js.Bytes())
		if err != nil {
			t.Fatalf("%v\n%s", err, js.String())
		}
		var cfn bytes.Buffer
		if err := Render(&cfn, pols[:1], FormatCloudFormation, "test.conf"); err != nil {
			t.Fatal(err)
		}
		rp, err := ResolveTemplate("generated.yaml", cfn.Bytes(), TemplateOptions{Account: env.Account})
		if err != nil {
			t.Fatalf("%v\n%s", err, cfn.String())
		}
		for name, docs := range map[string][]*Document{"json": {doc}, "cloudformation": rp.Policies} {
			rep := Check(reqs, docs)
			var out bytes.Buffer
			rep.Write(&out)
			if !rep.OK() || len(rep.Excess) != 0 {
				t.Errorf("%s (env %+v): generated policy does not check clean:\n%s\n%s", name, env, out.String(), js.String())
			}
			if len(rep.Elsewhere) != 1 || rep.Elsewhere[0].Action != "firehose:PutRecordBatch" {
				t.Errorf("%s: elsewhere = %v, want the firehose call of the assumed role", name, rep.Elsewhere)
			}
		}
	}
}

func TestGenerateStatements(t *testing.T) {
	reqs, err := Derive(model(t, multiOutputConf), Env{Account: "1"})
	if err != nil {
		t.Fatal(err)
	}
	pols := Generate(reqs)
	var got []string
	for _, st := range pols[0].Doc.Statement {
		got = append(got, st.Sid+" "+strings.Join(st.Action, ",")+" "+strings.Join(st.Resource, ","))
	}
	want := []string{
		"CloudwatchLogs0 logs:CreateLogStream,logs:PutLogEvents arn:aws:logs:eu-west-1:1:log-group:/app/*:log-stream:pod-*,arn:aws:logs:eu-west-1:1:log-group:/app:log-stream:pod-*",
		"CloudwatchLogs0B logs:CreateLogGroup,logs:PutRetentionPolicy arn:aws:logs:eu-west-1:1:log-group:/app/*:*,arn:aws:logs:eu-west-1:1:log-group:/app:*",
		"Archive s3:AbortMultipartUpload,s3:PutObject arn:aws:s3:::archive-bucket/logs/*/*/*/*/*.gz",
		"KinesisStreams0 kinesis:PutRecords arn:aws:kinesis:eu-west-1:1:stream/audit",
		"KinesisFirehose0 sts:AssumeRole arn:aws:iam::999999999999:role/firehose-writer",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("statements:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, st := range pols[0].Doc.Statement {
		if !strings.HasPrefix(pols[0].Serves[st.Sid], "[OUTPUT] ") {
			t.Errorf("statement %s serves %q, want its section", st.Sid, pols[0].Serves[st.Sid])
		}
	}
	var tf bytes.Buffer
	Render(&tf, pols, FormatTerraform, "test.conf")
	for _, want := range []string{`data "aws_iam_policy_document" "sluice"`, `# [OUTPUT] s3 (archive) at test.conf:`, `sluice_assumed_role_1`, `"kinesis:PutRecords"`} {
		if !strings.Contains(tf.String(), want) {
			t.Errorf("terraform output lacks %q:\n%s", want, tf.String())
		}
	}
}

func TestCheckFindsMismatchAndExcess(t *testing.T) {
	reqs, err := Derive(model(t, "[OUTPUT]\n    Name cloudwatch_logs\n    region ap-northeast-1\n    log_group_name /ecs/logs/sample-prod\n    log_stream_name webapp\n"), Env{Account: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	rep := Check(reqs, []*Document{mustPolicy(t, seedPolicy)})
	if rep.OK() || len(rep.Missing) != 2 {
		t.Fatalf("missing = %v, want PutLogEvents and CreateLogStream", rep.Missing)
	}
	var out bytes.Buffer
	rep.Write(&out)
	for _, want := range []string{
		"MISSING logs:PutLogEvents on arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-prod:log-stream:webapp",
		"needed by [OUTPUT] cloudwatch_logs (cloudwatch_logs.0) at test.conf:1",
		"test#0 allows logs:PutLogEvents only on arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:*",
		"EXCESS  test#0 allows logs:CreateLogGroup, which no output of the configuration calls",
		"FAIL: 2 required permissions are missing",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	deny := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"},{"Sid":"NoProd","Effect":"Deny","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:*:*:log-group:/ecs/logs/sample-prod:*"}]}`)
	rep = Check(reqs, []*Document{deny})
	if len(rep.Missing) != 1 || rep.Missing[0].Decision.Outcome != ExplicitDeny || rep.Missing[0].Decision.By[0] != "test#NoProd" {
		t.Errorf("missing = %+v, want PutLogEvents explicitly denied by NoProd", rep.Missing)
	}
	var wild []string
	for _, e := range rep.Excess {
		wild = append(wild, e.What)
	}
	if !strings.Contains(strings.Join(wild, "\n"), "allows logs:*, a wildcard") {
		t.Errorf("excess %v lacks the wildcard action", wild)
	}
}

func TestReaders(t *testing.T) {
	reqs, err := Derive(model(t, multiOutputConf), Env{Account: "1"})
	if err != nil {
		t.Fatal(err)
	}
	teams := Readers(reqs)
	if len(teams) != 2 || teams[0].Team != "secops" || teams[1].Team != "web" {
		t.Fatalf("teams = %v", teams)
	}
	sec := teams[0].Policy.Doc
	allowed := func(doc *Document, action, resource string, ctx map[string][]string) bool {
		return Evaluate([]*Document{doc}, Request{Action: action, Resource: resource, Context: ctx}).Outcome == Allowed
	}
	prefix := func(p string) map[string][]string { return map[string][]string{"s3:prefix": {p}} }
	web := teams[1].Policy.Doc
	for _, c := range []struct {
		doc              *Document
		action, resource string
		ctx              map[string][]string
		want             bool
	}{
		{sec, "s3:GetObject", "arn:aws:s3:::archive-bucket/logs/app/2024/01/02/x.gz", nil, true},
		{sec, "s3:GetObject", "arn:aws:s3:::archive-bucket/other/x", nil, false},
		{sec, "s3:ListBucket", "arn:aws:s3:::archive-bucket", prefix("logs/app/"), true},
		{sec, "s3:ListBucket", "arn:aws:s3:::archive-bucket", prefix("other/"), false},
		{sec, "s3:ListBucket", "arn:aws:s3:::archive-bucket", nil, false},
		{sec, "kinesis:GetRecords", "arn:aws:kinesis:eu-west-1:1:stream/audit", nil, true},
		{sec, "logs:GetLogEvents", "arn:aws:logs:eu-west-1:1:log-group:/app:log-stream:pod-a", nil, false},
		{sec, "s3:PutObject", "arn:aws:s3:::archive-bucket/logs/x", nil, false},
		{web, "logs:GetLogEvents", "arn:aws:logs:eu-west-1:1:log-group:/app:log-stream:pod-a", nil, true},
		{web, "logs:FilterLogEvents", "arn:aws:logs:eu-west-1:1:log-group:/app/prod:log-stream:", nil, true},
		{web, "logs:StartQuery", "arn:aws:logs:eu-west-1:1:log-group:/app/prod:log-stream:", nil, true},
		{web, "logs:GetLogEvents", "arn:aws:logs:eu-west-1:1:log-group:/other:log-stream:x", nil, false},
		{web, "logs:PutLogEvents", "arn:aws:logs:eu-west-1:1:log-group:/app:log-stream:pod-a", nil, false},
		{web, "s3:GetObject", "arn:aws:s3:::archive-bucket/logs/x", nil, false},
	} {
		if got := allowed(c.doc, c.action, c.resource, c.ctx); got != c.want {
			t.Errorf("%s: %s on %s (%v) allowed = %v, want %v", c.doc.Name, c.action, c.resource, c.ctx, got, c.want)
		}
	}
}

func TestFixStatement(t *testing.T) {
	got := FixStatement("logs:CreateLogGroup", "arn:aws:logs:us-east-1:1:log-group:/app:log-stream:", "cloudwatch_logs.0")
	for _, want := range []string{`"Sid":"CloudwatchLogs0"`, `"Action":"logs:CreateLogGroup"`, `"Resource":"arn:aws:logs:us-east-1:1:log-group:/app:*"`} {
		if !strings.Contains(got, want) {
			t.Errorf("FixStatement = %s, lacks %s", got, want)
		}
	}
	d := mustPolicy(t, `{"Version":"2012-10-17","Statement":[`+got+`]}`)
	if Evaluate([]*Document{d}, Request{Action: "logs:CreateLogGroup", Resource: "arn:aws:logs:us-east-1:1:log-group:/app:log-stream:"}).Outcome != Allowed {
		t.Error("the fix statement does not allow the denied call")
	}
	if got := FixStatement("logs:CreateLogGroup", "arn:aws:logs:us-east-1:*:log-group:/app", "x"); !strings.Contains(got, `log-group:/app:*"`) {
		t.Errorf("FixStatement of a bare group ARN = %s", got)
	}
	if got := FixStatement("firehose:PutRecordBatch", "", "x"); !strings.Contains(got, `"Resource":"*"`) {
		t.Errorf("FixStatement without resource = %s", got)
	}
}

func TestCheckTemplatedResourcePartlyDenied(t *testing.T) {
	reqs, err := Derive(model(t, "[OUTPUT]\n    Name kinesis_streams\n    region eu-west-1\n    stream x\n[OUTPUT]\n    Name cloudwatch_logs\n    region eu-west-1\n    log_group_name /app/default\n    log_group_template /app/$ns\n    log_stream_name s\n"), Env{Account: "1"})
	if err != nil {
		t.Fatal(err)
	}
	docs := []*Document{mustPolicy(t, `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["logs:PutLogEvents","logs:CreateLogStream","kinesis:PutRecords"],"Resource":"*"},
	  {"Sid":"NoSecrets","Effect":"Deny","Action":"logs:*","Resource":"arn:aws:logs:*:*:log-group:/app/secrets:*"}]}`)}
	rep := Check(reqs, docs)
	var got []string
	for _, m := range rep.Missing {
		got = append(got, m.Action+" "+m.Resource+" "+strings.Join(m.Decision.By, ","))
	}
	want := "logs:PutLogEvents arn:aws:logs:eu-west-1:1:log-group:/app/*:log-stream:s test#NoSecrets\n" +
		"logs:CreateLogStream arn:aws:logs:eu-west-1:1:log-group:/app/*:log-stream:s test#NoSecrets"
	if strings.Join(got, "\n") != want {
		t.Errorf("missing:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
}

func TestOverlaps(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"/app/secrets", "/app/*", true},
		{"/other", "/app/*", false},
		{"*-prod", "app-*", true},
		{"a?c", "*b*", true},
		{"abc", "abd", false},
		{"", "*", true},
		{"x", "", false},
	} {
		if got := overlaps(tt.a, tt.b); got != tt.want {
			t.Errorf("overlaps(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
