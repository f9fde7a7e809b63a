package iam

import (
	"os"
	"strings"
	"testing"
)

func resolveFile(t *testing.T, path string, opts TemplateOptions) *RolePolicies {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := ResolveTemplate(path, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

// resources lists "Sid=Effect Action Resource" of every statement.
func statements(rp *RolePolicies) string {
	var b strings.Builder
	for _, d := range rp.Policies {
		for _, st := range d.Statement {
			b.WriteString(d.Name + "#" + st.Sid + " " + string(st.Effect) + " " + strings.Join(st.Action, ",") + " " + strings.Join(st.Resource, ",") + "\n")
		}
	}
	return b.String()
}

func TestResolveTemplate(t *testing.T) {
	tests := []struct {
		name, file string
		opts       TemplateOptions
		want       string
	}{
		{"seed template: task role from the task definition", "../../examples/firelens-least-privilege/task-role.yaml",
			TemplateOptions{Region: "ap-northeast-1", Account: "123456789012"}, `ECSExecPolicy# Allow ssmmessages:CreateControlChannel,ssmmessages:CreateDataChannel,ssmmessages:OpenControlChannel,ssmmessages:OpenDataChannel *
SentCloudWatchLogsPolicy# Allow logs:CreateLogStream,logs:CreateLogGroup,logs:DescribeLogStreams,logs:PutLogEvents arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:*
`},
		{"seed template: unknown region and account", "../../examples/firelens-least-privilege/task-role.yaml",
			TemplateOptions{}, `ECSExecPolicy# Allow ssmmessages:CreateControlChannel,ssmmessages:CreateDataChannel,ssmmessages:OpenControlChannel,ssmmessages:OpenDataChannel *
SentCloudWatchLogsPolicy# Allow logs:CreateLogStream,logs:CreateLogGroup,logs:DescribeLogStreams,logs:PutLogEvents arn:aws:logs:${Region}:${Account}:log-group:/ecs/logs/sample-test:*
`},
		{"intrinsics", "testdata/intrinsics.yaml",
			TemplateOptions{Region: "eu-west-1", Account: "1", Params: map[string]string{"Bucket": "b"}}, `Role/inline#Logs Allow logs:PutLogEvents,logs:CreateLogStream arn:aws:logs:eu-west-1:1:log-group:/app/logs:*
Role/inline#Stream Allow kinesis:PutRecords arn:aws:kinesis:eu-west-1:1:stream/events
Role/inline#Firehose Allow firehose:PutRecordBatch arn:aws:firehose:eu-west-1:1:deliverystream/delivery-prod
Role/inline#Literal Deny s3:DeleteObject arn:aws:s3:::${NotAVariable}/sluice-check
BucketPolicy# Allow s3:PutObject arn:aws:s3:::b/logs/*
`},
		{"intrinsics with parameter overrides", "testdata/intrinsics.yaml",
			TemplateOptions{Region: "eu-west-1", Account: "1", Params: map[string]string{"Env": "dev", "Group": "/dev", "Streams": "x,y,z", "AWS::StackName": "s", "Bucket": "b"}}, `Role/inline#Logs Allow logs:PutLogEvents,logs:CreateLogStream arn:aws:logs:eu-west-1:1:log-group:/dev:*
Role/inline#Stream Allow kinesis:PutRecords arn:aws:kinesis:eu-west-1:1:stream/y
Role/inline#Firehose Allow firehose:PutRecordBatch arn:aws:firehose:eu-west-1:1:deliverystream/delivery-dev
Role/inline#DevOnly Allow * *
Role/inline#Literal Deny s3:DeleteObject arn:aws:s3:::${NotAVariable}/s
`},
		{"json template, managed policy by Ref", "testdata/role.json",
			TemplateOptions{Region: "us-east-1", Account: "2"}, `Writer# Allow logs:* arn:aws:logs:us-east-1:2:log-group:/json/logs:*
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rp := resolveFile(t, tt.file, tt.opts)
			if got := statements(rp); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s\nnotes: %v", got, tt.want, rp.Notes)
			}
		})
	}
}

func TestResolveTemplateNotes(t *testing.T) {
	rp := resolveFile(t, "testdata/role.json", TemplateOptions{})
	if rp.Role != "TaskRole" || len(rp.Notes) != 1 || !strings.Contains(rp.Notes[0], "ReadOnlyAccess") {
		t.Errorf("role %q notes %v, want TaskRole with a note on the AWS managed policy", rp.Role, rp.Notes)
	}
}

func TestResolveTemplateErrors(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		src  []byte
		opts TemplateOptions
		want string
	}{
		{"parameter without default", read("testdata/intrinsics.yaml"), TemplateOptions{}, "--param Bucket=VALUE"},
		{"unknown role", read("testdata/role.json"), TemplateOptions{Role: "Nope"}, `no AWS::IAM::Role with logical ID "Nope"`},
		{"several roles, no task definition", []byte("Resources:\n  A: {Type: AWS::IAM::Role}\n  B: {Type: AWS::IAM::Role}\n"), TemplateOptions{}, "--role LOGICAL_ID"},
		{"not yaml", []byte("Resources: [\n"), TemplateOptions{}, "template"},
		{"no resources", []byte("Parameters: {}\n"), TemplateOptions{}, "no Resources"},
		{"import value", []byte("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              Effect: Allow\n              Action: '*'\n              Resource: !ImportValue shared-arn\n"), TemplateOptions{}, "Fn::ImportValue cannot be resolved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ResolveTemplate("t.yaml", tt.src, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func FuzzResolveTemplate(f *testing.F) {
	f.Add([]byte("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: p\n          PolicyDocument: {Version: '2012-10-17', Statement: {Effect: Allow, Action: '*', Resource: !Sub '${AWS::Region}'}}\n"))
	f.Add([]byte(`{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Fn::If": ["C", 1, 2]}}}}}`))
	f.Add([]byte("Conditions:\n  A: !Condition A\nResources:\n  P:\n    Type: AWS::IAM::Policy\n    Condition: A\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// An error names the template; resolved policies render to
		// documents that parse again; and resolving is deterministic
		// (map order must not leak into the result).
		rp, err := ResolveTemplate("fuzz.yaml", src, TemplateOptions{})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the template", err)
			}
			return
		}
		again, err := ResolveTemplate("fuzz.yaml", src, TemplateOptions{})
		if err != nil {
			t.Fatalf("second resolution fails: %v", err)
		}
		if rp.Role != again.Role || len(rp.Policies) != len(again.Policies) || strings.Join(rp.Notes, "\n") != strings.Join(again.Notes, "\n") {
			t.Fatalf("two resolutions differ: %+v, %+v", rp, again)
		}
		for i, d := range rp.Policies {
			if string(d.JSON()) != string(again.Policies[i].JSON()) {
				t.Fatalf("policy %d differs between resolutions:\n%s\n%s", i, d.JSON(), again.Policies[i].JSON())
			}
			if _, err := ParsePolicy("again", d.JSON()); err != nil {
				t.Fatalf("resolved policy %d does not parse: %v\n%s", i, err, d.JSON())
			}
		}
	})
}

func TestResolveTemplateSelfReference(t *testing.T) {
	src := []byte("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref R\n      ManagedPolicyArns: [!Ref P]\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      ManagedPolicyName: !Sub '${P}-x'\n")
	if _, err := ResolveTemplate("t.yaml", src, TemplateOptions{}); err == nil || !strings.Contains(err.Error(), "refers to itself") {
		t.Errorf("error %v, want a self-reference error", err)
	}
}
