package cloudwatchlogs

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// seedPolicy is the seed story's task-role policy.
const seedPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:DescribeLogStreams", "logs:PutLogEvents"],
  "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/logs/sample-test:*"}]}`

func TestPolicyMode(t *testing.T) {
	ctx := context.Background()
	emu, c := newClient(t, Options{})
	docs, err := ParsePolicies("seed", []byte(seedPolicy))
	if err != nil {
		t.Fatal(err)
	}
	emu.SetPolicy(docs)
	mustCreate(t, c, "/ecs/logs/sample-test", "webapp")
	put := func(group string) error {
		_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("webapp"),
			LogEvents: events(1, func(int) int64 { return now.UnixMilli() }, func(int) string { return "m" })})
		return err
	}
	if err := put("/ecs/logs/sample-test"); err != nil {
		t.Fatalf("allowed call failed: %v", err)
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"group outside the policy", func() error {
			_, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/ecs/logs/other")})
			return err
		}, "User: arn:aws:sts::123456789012:assumed-role/emulator/sluice is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/logs/other:log-stream: because no identity-based policy allows the logs:CreateLogGroup action"},
		{"action outside the policy", func() error {
			_, err := c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/ecs/logs/sample-test"), RetentionInDays: aws.Int32(7)})
			return err
		}, "logs:PutRetentionPolicy on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/logs/sample-test:log-stream: because"},
		{"stream call names the stream", func() error { return put("/ecs/logs/sample-prod") },
			"logs:PutLogEvents on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/logs/sample-prod:log-stream:webapp because"},
	}
	for _, tt := range tests {
		err := tt.call()
		code, msg := code(err)
		if code != "AccessDeniedException" || msg != tt.want && !strings.Contains(msg, tt.want) {
			t.Errorf("%s: %s %q, want AccessDeniedException %q", tt.name, code, msg, tt.want)
		}
	}

	deny, err := ParsePolicies("deny", []byte(`[`+seedPolicy+`, {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "logs:Put*", "Resource": "*"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	emu.SetPolicy(deny)
	if _, msg := code(put("/ecs/logs/sample-test")); !strings.Contains(msg, "with an explicit deny in an identity-based policy") {
		t.Errorf("explicit deny message %q", msg)
	}
	emu.SetPolicy(nil)
	if err := put("/ecs/logs/sample-test"); err != nil {
		t.Errorf("policy mode off: %v", err)
	}
}

func TestPolicyAdminAPI(t *testing.T) {
	emu := New(Options{})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	do := func(method, body string) int {
		req, _ := http.NewRequest(method, srv.URL+"/_emulator/policy", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := do(http.MethodPut, seedPolicy); got != http.StatusNoContent {
		t.Fatalf("PUT policy: %d", got)
	}
	emu.mu.Lock()
	on := emu.policy != nil
	emu.mu.Unlock()
	if !on {
		t.Fatal("PUT did not turn policy mode on")
	}
	if got := do(http.MethodPut, `{"Statement": {"Effect": "Perhaps"}}`); got != http.StatusBadRequest {
		t.Errorf("PUT bad policy: %d, want 400", got)
	}
	if got := do(http.MethodDelete, ""); got != http.StatusNoContent {
		t.Errorf("DELETE policy: %d", got)
	}
	if got := do(http.MethodGet, ""); got != http.StatusMethodNotAllowed {
		t.Errorf("GET policy: %d, want 405", got)
	}
}
