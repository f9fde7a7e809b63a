package iam

import (
	"strings"
	"testing"
)

func mustPolicy(t *testing.T, src string) *Document {
	t.Helper()
	d, err := ParsePolicy("test", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The policies below are the examples of AWS's IAM user guide: "The
// difference between explicit and implicit denies" (AllowGetList and
// DenyReports), "NotAction" (all S3 but DeleteBucket; deny all but IAM
// without MFA), "NotResource" and the condition operator pages.
const (
	awsAllowGetListDenyReports = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"}
  ]}`
	awsNotActionS3 = `{
  "Version": "2012-10-17",
  "Statement": {"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}}`
	awsDenyAllButIAMWithoutMFA = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyAllUsersNotUsingMFA", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	awsNotResource = `{
  "Version": "2012-10-17",
  "Statement": {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}}`
	seedPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow",
    "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:DescribeLogStreams", "logs:PutLogEvents"],
    "Resource": "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:*"}]}`
	regionCondition = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "logs:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}},
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": true}, "StringLike": {"s3:prefix": "home/*"}}},
    {"Effect": "Deny", "Action": "kinesis:*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "secops"}}},
    {"Effect": "Allow", "Action": "kinesis:PutRecords", "Resource": "*"},
    {"Effect": "Allow", "Action": "firehose:PutRecordBatch", "Resource": "*",
     "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}},
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
     "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:ecs:*:123456789012:task/*"}}}
  ]}`
)

func TestEvaluate(t *testing.T) {
	ctx := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	tests := []struct {
		name     string
		policies []string
		req      Request
		want     Outcome
	}{
		{"allow by prefix wildcard", []string{awsAllowGetListDenyReports}, Request{Action: "iam:GetUser", Resource: "*"}, Allowed},
		{"action case-insensitive", []string{awsAllowGetListDenyReports}, Request{Action: "IAM:listroles", Resource: "*"}, Allowed},
		{"implicit deny", []string{awsAllowGetListDenyReports}, Request{Action: "iam:CreatePolicy", Resource: "*"}, ImplicitDeny},
		{"explicit deny wins over allow", []string{awsAllowGetListDenyReports}, Request{Action: "iam:GetCredentialReport", Resource: "*"}, ExplicitDeny},
		{"deny in another policy wins", []string{awsNotActionS3, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}}`},
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, ExplicitDeny},
		{"NotAction allow", []string{awsNotActionS3}, Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, Allowed},
		{"NotAction excluded", []string{awsNotActionS3}, Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::b"}, ImplicitDeny},
		{"NotAction scoped by Resource", []string{awsNotActionS3}, Request{Action: "s3:ListAllMyBuckets", Resource: "*"}, ImplicitDeny},
		{"NotAction allow is not other services", []string{awsNotActionS3}, Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"}, ImplicitDeny},
		{"MFA deny applies when key false", []string{awsNotActionS3, awsDenyAllButIAMWithoutMFA},
			Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k", Context: ctx("aws:multifactorauthpresent", "false")}, ExplicitDeny},
		{"MFA deny applies when key absent (IfExists)", []string{awsNotActionS3, awsDenyAllButIAMWithoutMFA},
			Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, ExplicitDeny},
		{"MFA deny skipped with MFA", []string{awsNotActionS3, awsDenyAllButIAMWithoutMFA},
			Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k", Context: ctx("aws:multifactorauthpresent", "true")}, Allowed},
		{"NotResource deny outside", []string{awsNotActionS3, awsNotResource}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::HRBucket/Other"}, ExplicitDeny},
		{"NotResource deny not inside", []string{awsNotActionS3, awsNotResource}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::HRBucket/Payroll/x"}, Allowed},
		{"seed: stream in group", []string{seedPolicy}, Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:log-stream:webapp"}, Allowed},
		{"seed: group-level call", []string{seedPolicy}, Request{Action: "logs:CreateLogGroup", Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:log-stream:"}, Allowed},
		{"seed: other group", []string{seedPolicy}, Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-prod:log-stream:webapp"}, ImplicitDeny},
		{"seed: group name prefix is not the group", []string{seedPolicy}, Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test2:log-stream:webapp"}, ImplicitDeny},
		{"seed: resource case-sensitive", []string{seedPolicy}, Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ECS/logs/sample-test:log-stream:webapp"}, ImplicitDeny},
		{"seed: other region", []string{seedPolicy}, Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/logs/sample-test:log-stream:webapp"}, ImplicitDeny},
		{"seed: unknown account accepted", []string{seedPolicy}, Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:ap-northeast-1:" + AnyAccount + ":log-group:/ecs/logs/sample-test:log-stream:webapp"}, Allowed},
		{"seed: action not granted", []string{seedPolicy}, Request{Action: "logs:PutRetentionPolicy", Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:log-stream:"}, ImplicitDeny},
		{"? matches one character", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:PutRecord?","Resource":"arn:aws:kinesis:*:*:stream/app-?"}}`},
			Request{Action: "kinesis:PutRecords", Resource: "arn:aws:kinesis:us-east-1:1:stream/app-a"}, Allowed},
		{"? does not match two", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:PutRecord?","Resource":"arn:aws:kinesis:*:*:stream/app-?"}}`},
			Request{Action: "kinesis:PutRecords", Resource: "arn:aws:kinesis:us-east-1:1:stream/app-ab"}, ImplicitDeny},
		{"region segment wildcard does not cross segments", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:*","Resource":"arn:aws:logs:*:log-group:g:*"}}`},
			Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"}, ImplicitDeny},
		{"StringEquals region matches", []string{regionCondition}, Request{Action: "logs:PutLogEvents", Resource: "x", Context: ctx("aws:requestedregion", "eu-west-1")}, Allowed},
		{"StringEquals region differs", []string{regionCondition}, Request{Action: "logs:PutLogEvents", Resource: "x", Context: ctx("aws:requestedregion", "us-east-1")}, ImplicitDeny},
		{"StringEquals key missing", []string{regionCondition}, Request{Action: "logs:PutLogEvents", Resource: "x"}, ImplicitDeny},
		{"Bool and StringLike together", []string{regionCondition}, Request{Action: "s3:PutObject", Resource: "x", Context: ctx("aws:securetransport", "true", "s3:prefix", "home/alice/")}, Allowed},
		{"StringLike fails", []string{regionCondition}, Request{Action: "s3:PutObject", Resource: "x", Context: ctx("aws:securetransport", "true", "s3:prefix", "tmp/")}, ImplicitDeny},
		{"StringNotEquals deny when key absent", []string{regionCondition}, Request{Action: "kinesis:PutRecords", Resource: "x"}, ExplicitDeny},
		{"StringNotEquals deny for other team", []string{regionCondition}, Request{Action: "kinesis:PutRecords", Resource: "x", Context: ctx("aws:principaltag/team", "web")}, ExplicitDeny},
		{"StringNotEquals skip for the team", []string{regionCondition}, Request{Action: "kinesis:PutRecords", Resource: "x", Context: ctx("aws:principaltag/team", "secops")}, Allowed},
		{"ForAllValues subset", []string{regionCondition}, Request{Action: "firehose:PutRecordBatch", Resource: "x", Context: ctx("aws:tagkeys", "env")}, Allowed},
		{"ForAllValues not subset", []string{regionCondition}, Request{Action: "firehose:PutRecordBatch", Resource: "x", Context: ctx("aws:tagkeys", "env", "aws:tagkeys", "cost")}, ImplicitDeny},
		{"ForAllValues absent is true", []string{regionCondition}, Request{Action: "firehose:PutRecordBatch", Resource: "x"}, Allowed},
		{"ArnLike", []string{regionCondition}, Request{Action: "sts:AssumeRole", Resource: "x", Context: ctx("aws:sourcearn", "arn:aws:ecs:eu-west-1:123456789012:task/cluster/abc")}, Allowed},
		{"ArnLike other account", []string{regionCondition}, Request{Action: "sts:AssumeRole", Resource: "x", Context: ctx("aws:sourcearn", "arn:aws:ecs:eu-west-1:999999999999:task/cluster/abc")}, ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var docs []*Document
			for _, p := range tt.policies {
				docs = append(docs, mustPolicy(t, p))
			}
			if got := Evaluate(docs, tt.req); got.Outcome != tt.want {
				t.Errorf("Evaluate(%s on %s) = %v (by %v), want %v", tt.req.Action, tt.req.Resource, got.Outcome, got.By, tt.want)
			}
		})
	}
}

func TestParsePolicyRejects(t *testing.T) {
	for name, src := range map[string]string{
		"bad effect":        `{"Version":"2012-10-17","Statement":{"Effect":"Permit","Action":"*","Resource":"*"}}`,
		"both actions":      `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}}`,
		"no resource":       `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*"}}`,
		"unknown operator":  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringMatches":{"a":"b"}}}}`,
		"bad set qualifier": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSome:StringEquals":{"a":"b"}}}}`,
		"no statement":      `{"Version":"2012-10-17"}`,
		"not json":          `Version: 2012-10-17`,
	} {
		if _, err := ParsePolicy(name, []byte(src)); err == nil {
			t.Errorf("%s: ParsePolicy accepted %s", name, src)
		}
	}
}

func TestUnsupportedOperatorIsNoted(t *testing.T) {
	d := mustPolicy(t, `{"Version":"2012-10-17","Statement":{"Sid":"Net","Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`)
	got := Evaluate([]*Document{d}, Request{Action: "logs:PutLogEvents", Resource: "*"})
	if got.Outcome != ImplicitDeny || len(got.Notes) != 1 {
		t.Fatalf("got %+v, want an implicit deny with a note", got)
	}
}

func TestCovers(t *testing.T) {
	tests := []struct {
		pattern, required string
		want              bool
	}{
		{"*", "anything", true},
		{"app-*", "app-*", true},
		{"app-*", "app-x-*", true},
		{"app-x*", "app-*", false},
		{"*-prod", "app-*", false},
		{"app-?", "app-*", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"", "", true},
		{"", "a", false},
		{"é?", "éü", true},
	}
	for _, tt := range tests {
		if got := covers(tt.pattern, tt.required, false); got != tt.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tt.pattern, tt.required, got, tt.want)
		}
	}
}

func FuzzCovers(f *testing.F) {
	f.Add("a*b?c", "aXXbYc")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		// A pattern always covers itself, and * covers everything.
		if !covers(pattern, pattern, false) {
			t.Fatalf("covers(%q, itself) = false", pattern)
		}
		if !covers("*", s, false) {
			t.Fatalf("covers(*, %q) = false", s)
		}
		covers(pattern, s, true)
	})
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{seedPolicy, regionCondition, awsNotResource, awsDenyAllButIAMWithoutMFA, `{"Statement":{"Effect":"Allow","Action":[1,true,"x"],"Resource":"*"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := ParsePolicy("fuzz", src)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the policy", err)
			}
			return
		}
		// Whatever parses evaluates without panicking, and renders to a
		// document that parses again, renders the same (a fixed point) and
		// decides every request the same way.
		again, err := ParsePolicy("again", d.JSON())
		if err != nil {
			t.Fatalf("rendered policy does not parse: %v\n%s", err, d.JSON())
		}
		if string(again.JSON()) != string(d.JSON()) {
			t.Fatalf("rendered twice differs:\n%s\n%s", d.JSON(), again.JSON())
		}
		for _, req := range []Request{
			{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", Context: map[string][]string{"aws:requestedregion": {"us-east-1"}}},
			{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"},
			{Action: "iam:CreateUser", Resource: "*", Context: map[string][]string{"aws:multifactorauthpresent": {"true"}}},
		} {
			if a, b := Evaluate([]*Document{d}, req).Outcome, Evaluate([]*Document{again}, req).Outcome; a != b {
				t.Fatalf("%s on %s: %v, rendered and parsed again %v", req.Action, req.Resource, a, b)
			}
		}
	})
}

func TestEmptyNotListsAreIgnored(t *testing.T) {
	d := mustPolicy(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:PutLogEvents","NotAction":[],"Resource":"*","NotResource":[]}}`)
	if got := Evaluate([]*Document{d}, Request{Action: "logs:PutLogEvents", Resource: "x"}); got.Outcome != Allowed {
		t.Errorf("got %v", got.Outcome)
	}
	if got := Evaluate([]*Document{d}, Request{Action: "logs:CreateLogGroup", Resource: "x"}); got.Outcome != ImplicitDeny {
		t.Errorf("got %v", got.Outcome)
	}
}
