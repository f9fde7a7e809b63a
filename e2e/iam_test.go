package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// iamSeedDir holds the seed story's FireLens config and task-role template.
const iamSeedDir = "../examples/firelens-least-privilege"

// iamSeedCopy copies the seed's extra.conf and task-role.yaml into a
// temporary directory, replacing old with new in the named file.
func iamSeedCopy(t *testing.T, file, old, new string) (conf, tmpl string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"extra.conf", "task-role.yaml"} {
		b, err := os.ReadFile(filepath.Join(iamSeedDir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == file {
			if !strings.Contains(s, old) {
				t.Fatalf("%s does not contain %q", name, old)
			}
			s = strings.ReplaceAll(s, old, new)
		}
		writeFile(t, dir, name, s)
	}
	return filepath.Join(dir, "extra.conf"), filepath.Join(dir, "task-role.yaml")
}

func iamWant(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestIAMCheckSeedStory is the seed's acceptance case: the template's task
// role and extra.conf agree, so the check passes; change the log group on
// either side and it fails, naming the call, the section and the mismatch.
func TestIAMCheckSeedStory(t *testing.T) {
	// FireLens includes extra.conf after its own input section.
	extra, err := filepath.Abs(filepath.Join(iamSeedDir, "extra.conf"))
	if err != nil {
		t.Fatal(err)
	}
	main := writeFile(t, t.TempDir(), "fluent-bit.conf", "[INPUT]\n    Name dummy\n    Tag app\n@INCLUDE "+extra+"\n")
	if stdout, stderr, code := run(t, "validate", "-c", main); code != 0 {
		t.Fatalf("the seed's extra.conf does not validate: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code := run(t, "iam", "check", "-c", filepath.Join(iamSeedDir, "extra.conf"),
		"--cloudformation", filepath.Join(iamSeedDir, "task-role.yaml"), "--account", "123456789012")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	iamWant(t, stdout, "checking the policies of role ECSTaskRole1",
		"OK: every call the configuration makes is allowed",
		"EXCESS  SentCloudWatchLogsPolicy#0 allows logs:DescribeLogStreams, which no output of the configuration calls")

	t.Run("config names another log group", func(t *testing.T) {
		conf, tmpl := iamSeedCopy(t, "extra.conf", "log_group_name /ecs/logs/sample-test", "log_group_name /ecs/logs/sample-prod")
		stdout, stderr, code := run(t, "iam", "check", "-c", conf, "--cloudformation", tmpl, "--account", "123456789012")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
		}
		iamWant(t, stdout,
			"MISSING logs:PutLogEvents on arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-prod:log-stream:webapp",
			"needed by [OUTPUT] cloudwatch_logs (cloudwatch_logs.0) at "+conf+":12",
			"SentCloudWatchLogsPolicy#0 allows logs:PutLogEvents only on arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:*",
			"MISSING logs:CreateLogGroup on arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-prod:log-stream:",
			"FAIL: 3 required permissions are missing")
	})
	t.Run("policy names another log group", func(t *testing.T) {
		conf, tmpl := iamSeedCopy(t, "task-role.yaml", "log-group:/ecs/logs/sample-test:*", "log-group:/ecs/logs/${ProjectName}:*")
		stdout, stderr, code := run(t, "iam", "check", "-c", conf, "--cloudformation", tmpl, "--param", "ProjectName=shop")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
		}
		iamWant(t, stdout,
			"MISSING logs:PutLogEvents on arn:aws:logs:ap-northeast-1:${Account}:log-group:/ecs/logs/sample-test:log-stream:webapp",
			"allows logs:PutLogEvents only on arn:aws:logs:ap-northeast-1:${Account}:log-group:/ecs/logs/shop:*")
	})
	t.Run("a bare log group ARN matches no call", func(t *testing.T) {
		conf, tmpl := iamSeedCopy(t, "task-role.yaml", "log-group:/ecs/logs/sample-test:*", "log-group:/ecs/logs/sample-test")
		stdout, _, code := run(t, "iam", "check", "-c", conf, "--cloudformation", tmpl)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, stdout)
		}
		iamWant(t, stdout, "FAIL: 3 required permissions are missing")
	})
}

// TestIAMPolicyRoundTrip generates the least-privilege policy in each
// format and checks the JSON one against the config: it must pass with no
// excess grant.
func TestIAMPolicyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	conf := writeFile(t, dir, "fluent-bit.conf", `[OUTPUT]
    Name cloudwatch_logs
    Match app.*
    region eu-west-1
    log_group_name /eks/fallback
    log_group_template /eks/$kubernetes['namespace_name']
    log_stream_prefix from-
    auto_create_group on
    log_retention_days 14

[OUTPUT]
    Name s3
    Alias archive
    Match *
    region eu-west-1
    bucket my-archive
    total_file_size 10M

[OUTPUT]
    Name kinesis_firehose
    Match audit.*
    region eu-west-1
    delivery_stream audit
    role_arn arn:aws:iam::210987654321:role/audit-writer
`)
	stdout, stderr, code := run(t, "iam", "policy", "-c", conf, "--account", "123456789012")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var entries []struct {
		Principal      string
		PolicyDocument json.RawMessage
	}
	if err := json.Unmarshal([]byte(stdout), &entries); err != nil || len(entries) != 2 {
		t.Fatalf("policy output is not two documents (%v):\n%s", err, stdout)
	}
	iamWant(t, string(entries[0].PolicyDocument), `"Sid": "CloudwatchLogs0"`, `"logs:PutRetentionPolicy"`,
		`"arn:aws:logs:eu-west-1:123456789012:log-group:/eks/*:log-stream:from-*"`, `"s3:AbortMultipartUpload"`,
		`"arn:aws:s3:::my-archive/fluent-bit-logs/*/*/*/*/*/*/*"`, `"sts:AssumeRole"`)
	iamWant(t, string(entries[1].PolicyDocument), `"firehose:PutRecordBatch"`)
	if entries[1].Principal != "arn:aws:iam::210987654321:role/audit-writer" {
		t.Errorf("second policy is for %q, want the assumed role", entries[1].Principal)
	}
	policy := writeFile(t, dir, "policy.json", string(entries[0].PolicyDocument))
	stdout, stderr, code = run(t, "iam", "check", "-c", conf, "--policy", policy, "--account", "123456789012")
	if code != 0 {
		t.Fatalf("check of the generated policy: exit %d\n%s%s", code, stdout, stderr)
	}
	iamWant(t, stdout, "OK: every call the configuration makes is allowed (0 excess grants)",
		"NOT CHECKED firehose:PutRecordBatch on arn:aws:firehose:eu-west-1:123456789012:deliverystream/audit")

	stdout, _, code = run(t, "iam", "policy", "-c", conf, "--format", "cloudformation")
	if code != 0 {
		t.Fatalf("cloudformation: exit %d", code)
	}
	iamWant(t, stdout, "Type: AWS::IAM::ManagedPolicy", "# [OUTPUT] cloudwatch_logs (cloudwatch_logs.0) at "+conf+":1",
		"# [OUTPUT] s3 (archive) at "+conf+":11", `!Sub "arn:aws:logs:eu-west-1:${AWS::AccountId}:log-group:/eks/fallback:*"`)
	cfn := writeFile(t, dir, "policy.yaml", stdout)
	stdout, stderr, code = run(t, "iam", "check", "-c", conf, "--cloudformation", cfn)
	if code != 0 {
		t.Fatalf("check of the generated template: exit %d\n%s%s", code, stdout, stderr)
	}
	// The template also holds the assumed role's policy, which the check
	// (no role in the template) evaluates together with the task role's.
	iamWant(t, stdout, "OK: every call the configuration makes is allowed (1 excess grants)",
		"EXCESS  SluiceAssumedRolePolicy1#KinesisFirehose0 allows firehose:PutRecordBatch")

	stdout, _, code = run(t, "iam", "policy", "-c", conf, "--format", "terraform")
	if code != 0 {
		t.Fatalf("terraform: exit %d", code)
	}
	iamWant(t, stdout, `data "aws_iam_policy_document" "sluice"`, `data "aws_caller_identity" "current" {}`,
		"# [OUTPUT] kinesis_firehose (kinesis_firehose.0) at "+conf+":19", `actions   = ["sts:AssumeRole"]`)
}

// TestIAMReaders emits one read-only policy per team label.
func TestIAMReaders(t *testing.T) {
	dir := t.TempDir()
	conf := writeFile(t, dir, "teams.conf", `[OUTPUT]
    Name cloudwatch_logs
    Match web.*
    region us-east-1
    log_group_name /web
    log_stream_prefix web-
    team web

[OUTPUT]
    Name s3
    Match *
    region us-east-1
    bucket audit-archive
    s3_key_format /secops/$TAG/%Y/%m/%d/$UUID
    team secops

[OUTPUT]
    Name kinesis_firehose
    Match *
    region us-east-1
    delivery_stream siem
    team secops
`)
	stdout, stderr, code := run(t, "iam", "readers", "-c", conf, "--account", "111111111111")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	secops, web, ok := strings.Cut(stdout, "// team web\n")
	if !ok {
		t.Fatalf("no web team policy:\n%s", stdout)
	}
	iamWant(t, secops, "// team secops", `"s3:GetObject"`, `"arn:aws:s3:::audit-archive/secops/*/*/*/*/*"`,
		`"s3:ListBucket"`, `"s3:prefix": "secops/*"`)
	iamWant(t, web, `"logs:GetLogEvents"`, `"logs:FilterLogEvents"`, `"logs:StartQuery"`, `"logs:DescribeLogStreams"`,
		`"arn:aws:logs:us-east-1:111111111111:log-group:/web:*"`)
	if strings.Contains(web, "s3:") || strings.Contains(secops, "logs:GetLogEvents") {
		t.Errorf("a team's policy covers another team's destinations:\n%s", stdout)
	}
	iamWant(t, stderr, "team secops: [OUTPUT] kinesis_firehose (kinesis_firehose.0)", "cannot be read")

	// team is a parameter every output accepts.
	webConf := writeFile(t, dir, "web.conf", "[INPUT]\n    Name dummy\n    Tag web.x\n[OUTPUT]\n    Name cloudwatch_logs\n    Match web.*\n    region us-east-1\n    log_group_name /web\n    log_stream_prefix web-\n    team web\n")
	if stdout, stderr, code := run(t, "validate", "-c", webConf); code != 0 {
		t.Errorf("a team label does not validate: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestIAMUsageErrors checks the exit codes of bad invocations.
func TestIAMUsageErrors(t *testing.T) {
	dir := t.TempDir()
	conf := writeFile(t, dir, "c.conf", "[OUTPUT]\n    Name kinesis_streams\n    region eu-west-1\n    stream s\n")
	noAWS := writeFile(t, dir, "stdout.conf", "[OUTPUT]\n    Name stdout\n    Match *\n")
	bad := writeFile(t, dir, "bad.json", `{"Version": "2012-10-17", "Statement": {"Effect": "Maybe", "Action": "*", "Resource": "*"}}`)
	denied := writeFile(t, dir, "denied.json", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": "*"}}`)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"iam", "policy"}, 2, "-c CONFIG is required"},
		{[]string{"iam", "check", "-c", conf}, 2, "--policy FILE or --cloudformation TEMPLATE"},
		{[]string{"iam", "check", "-c", conf, "--policy", bad}, 2, `Effect "Maybe" must be Allow or Deny`},
		{[]string{"iam", "check", "-c", conf, "--policy", denied}, 1, "MISSING kinesis:PutRecords on arn:aws:kinesis:eu-west-1:${Account}:stream/s"},
		{[]string{"iam", "policy", "-c", noAWS}, 2, "has no AWS output"},
		{[]string{"iam", "readers", "-c", conf}, 2, "team parameter"},
		{[]string{"iam", "policy", "-c", conf, "--format", "xml"}, 2, "valid formats are json, cloudformation, terraform"},
		{[]string{"iam", "frobnicate", "-c", conf}, 2, "unknown command 'sluice iam frobnicate'"},
	}
	for _, tt := range tests {
		stdout, stderr, code := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("sluice %s: exit %d, want %d with %q\n%s%s", strings.Join(tt.args, " "), code, tt.code, tt.want, stdout, stderr)
		}
	}
}

// TestIAMPolicyForSigV4HTTPOutputs: opensearch and prometheus_remote_write
// with AWS_Auth get their data-plane actions on the domain and workspace
// their Host and URI name; a policy missing one fails the check, naming it.
func TestIAMPolicyForSigV4HTTPOutputs(t *testing.T) {
	dir := t.TempDir()
	conf := writeFile(t, dir, "fluent-bit.conf", `[INPUT]
    Name  dummy
    Tag   app.web

[INPUT]
    Name  fluentbit_metrics
    Tag   metrics

[OUTPUT]
    Name      opensearch
    Match     app.*
    Host      search-app-logs-a1b2c3d4e5.eu-west-1.es.amazonaws.com
    Port      443
    tls       On
    AWS_Auth  On

[OUTPUT]
    Name      prometheus_remote_write
    Match     metrics
    Host      aps-workspaces.eu-west-1.amazonaws.com
    Port      443
    uri       /workspaces/ws-0f1e2d3c/api/v1/remote_write
    tls       On
    AWS_Auth  On
`)
	if _, stderr, code := run(t, "validate", "-c", conf); code != 0 {
		t.Fatalf("validate: exit %d\n%s", code, stderr)
	}
	stdout, stderr, code := run(t, "iam", "policy", "-c", conf, "--account", "123456789012")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var policy struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(stdout), &policy); err != nil || len(policy.Statement) != 2 {
		t.Fatalf("policy output is not one document of two statements (%v):\n%s", err, stdout)
	}
	doc := stdout
	iamWant(t, doc, `"es:ESHttpPost"`, `"arn:aws:es:eu-west-1:123456789012:domain/app-logs/*"`,
		`"aps:RemoteWrite"`, `"arn:aws:aps:eu-west-1:123456789012:workspace/ws-0f1e2d3c"`)
	full := writeFile(t, dir, "policy.json", doc)
	if stdout, stderr, code := run(t, "iam", "check", "-c", conf, "--policy", full, "--account", "123456789012"); code != 0 {
		t.Fatalf("check of the generated policy: exit %d\n%s%s", code, stdout, stderr)
	}
	narrow := writeFile(t, dir, "narrow.json", `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "aps:RemoteWrite", "Resource": "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0f1e2d3c"}]}`)
	stdout, _, code = run(t, "iam", "check", "-c", conf, "--policy", narrow, "--account", "123456789012")
	if code == 0 {
		t.Fatalf("a policy without es:ESHttpPost passed the check:\n%s", stdout)
	}
	iamWant(t, stdout, "es:ESHttpPost", "arn:aws:es:eu-west-1:123456789012:domain/app-logs/_bulk", "[OUTPUT] opensearch (opensearch.0)")
}
