package awsconf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sluice-logs/sluice/internal/plugin"
)

func apiErr(code string, fault smithy.ErrorFault) error {
	return &smithy.GenericAPIError{Code: code, Message: "msg of " + code, Fault: fault}
}

func httpErr(status int, inner error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: inner}}
}

func TestClassify(t *testing.T) {
	call := Call{Section: "cloudwatch_logs.0", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s"}
	tests := []struct {
		name  string
		err   error
		class plugin.ErrorClass
		want  []string
	}{
		{"throttling", apiErr("ThrottlingException", smithy.FaultClient), plugin.ClassThrottled, []string{"throttled", "cloudwatch_logs.0"}},
		{"429 without a known code", httpErr(429, apiErr("Whatever", smithy.FaultClient)), plugin.ClassThrottled, nil},
		{"service unavailable", apiErr("ServiceUnavailableException", smithy.FaultServer), plugin.ClassRetryable, []string{"will retry"}},
		{"500 unknown code", httpErr(500, apiErr("Boom", smithy.FaultServer)), plugin.ClassRetryable, nil},
		{"network error", fmt.Errorf("send: %w", errors.New("connection refused")), plugin.ClassRetryable, []string{"connection refused"}},
		{"context canceled", context.Canceled, plugin.ClassRetryable, nil},
		{"validation", apiErr("InvalidParameterException", smithy.FaultClient), plugin.ClassPermanent, []string{"retrying cannot help"}},
		{"unknown 4xx client fault", httpErr(400, apiErr("SomethingNew", smithy.FaultClient)), plugin.ClassPermanent, nil},
		{"access denied", apiErr("AccessDeniedException", smithy.FaultClient), plugin.ClassRetryable,
			[]string{"logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", "cloudwatch_logs.0", "stay buffered"}},
		{"access denied quoting its resource", &smithy.GenericAPIError{Code: "AccessDeniedException",
			Message: "User: arn:aws:sts::1:assumed-role/r/x is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:eu-west-1:1:log-group:other:log-stream:x because no identity-based policy allows it"},
			plugin.ClassRetryable, []string{"on arn:aws:logs:eu-west-1:1:log-group:other:log-stream:x",
				`the statement to add: {"Sid":"CloudwatchLogs0","Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:eu-west-1:1:log-group:other:log-stream:x"}`}},
		{"access denied on a log group", &smithy.GenericAPIError{Code: "AccessDeniedException",
			Message: "User: arn:aws:sts::1:assumed-role/r/x is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:eu-west-1:1:log-group:other:log-stream: because no identity-based policy allows it"},
			plugin.ClassRetryable, []string{`"Resource":"arn:aws:logs:eu-west-1:1:log-group:other:*"`}},
		{"expired token", apiErr("ExpiredTokenException", smithy.FaultClient), plugin.ClassRetryable, []string{"denied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err, call)
			class, _, _ := plugin.Classify(got)
			if class != tt.class {
				t.Errorf("class %s, want %s (%v)", class, tt.class, got)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("%v does not wrap the SDK error", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("message %q lacks %q", got, w)
				}
			}
		})
	}
	if Classify(nil, call) != nil {
		t.Error("Classify(nil) is not nil")
	}
}

// isolate points the SDK's environment at nothing of the host's.
func isolate(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_PROFILE", "")
}

func TestLoad(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	pem := filepath.Join(dir, "bundle.pem")
	// A self-contained, valid PEM certificate is not needed for the
	// loader to accept the file when it holds at least one; use the
	// system bundle when the machine has one.
	system := "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(system); err == nil {
		data, _ := os.ReadFile(system)
		os.WriteFile(pem, data, 0o644)
	}
	tests := []struct {
		name     string
		s        Settings
		caBundle string
		wantErr  string
	}{
		{"region and endpoint", Settings{Section: "o.0", Region: "us-east-1", Endpoint: "http://127.0.0.1:1"}, "", ""},
		{"no region", Settings{Section: "o.0"}, "", "no AWS region"},
		{"role_arn", Settings{Section: "o.0", Region: "eu-west-1", RoleARN: "arn:aws:iam::1:role/r", ExternalID: "x", STSEndpoint: "http://127.0.0.1:2"}, "", ""},
		{"missing profile", Settings{Section: "o.0", Region: "eu-west-1", Profile: "nope"}, "", "profile \"nope\""},
		{"extra user agent", Settings{Section: "o.0", Region: "eu-west-1", ExtraUserAgent: "firelens"}, "", ""},
		{"unreadable CA bundle", Settings{Section: "o.0", Region: "eu-west-1"}, filepath.Join(dir, "missing.pem"), "AWS_CA_BUNDLE"},
	}
	if _, err := os.Stat(pem); err == nil {
		tests = append(tests, struct {
			name     string
			s        Settings
			caBundle string
			wantErr  string
		}{"CA bundle honoured", Settings{Section: "o.0", Region: "eu-west-1", AutoRetry: true}, pem, ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_CA_BUNDLE", tt.caBundle)
			cfg, err := Load(context.Background(), tt.s)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "o.0") {
					t.Fatalf("error %v, want one naming o.0 and %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != tt.s.Region {
				t.Errorf("region %q", cfg.Region)
			}
			if tt.s.Endpoint != "" && (cfg.BaseEndpoint == nil || *cfg.BaseEndpoint != tt.s.Endpoint) {
				t.Errorf("base endpoint %v", cfg.BaseEndpoint)
			}
			if tt.s.RoleARN == "" {
				creds, err := cfg.Credentials.Retrieve(context.Background())
				if err != nil || creds.AccessKeyID != "AKIDEXAMPLE" {
					t.Errorf("credentials %v, %v", creds, err)
				}
			}
		})
	}
}

func TestNormalizeEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "",
		"logs.us-east-1.amazonaws.com":  "https://logs.us-east-1.amazonaws.com",
		"http://127.0.0.1:4566":         "http://127.0.0.1:4566",
		" https://vpce-1.logs.aws.com ": "https://vpce-1.logs.aws.com",
	} {
		if got := normalizeEndpoint(in); got != want {
			t.Errorf("normalizeEndpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestClassifyMissingResource: a Kinesis stream or Firehose delivery
// stream that does not exist is retryable (the records stay buffered) with
// a message naming it, its region and the parameter to fix; without
// Call.Missing (cloudwatch_logs, which creates what is missing itself) the
// message is the generic retryable one.
func TestClassifyMissingResource(t *testing.T) {
	notFound := &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Stream app-logs under account 000000000000 not found.", Fault: smithy.FaultClient}
	tests := []struct {
		name  string
		err   error
		call  Call
		class plugin.ErrorClass
		want  string
	}{
		{"kinesis stream", notFound,
			Call{Section: "kinesis_streams.0", Action: "kinesis:PutRecords", Missing: &Missing{What: "Kinesis stream", Name: "app-logs", Region: "eu-west-1", Param: "stream"}},
			plugin.ClassRetryable, "output kinesis_streams.0: Kinesis stream \"app-logs\" does not exist in eu-west-1; create it or fix `stream` in [OUTPUT] kinesis_streams.0; records stay buffered and are retried"},
		{"firehose delivery stream, region from the environment", notFound,
			Call{Section: "kinesis_firehose.0", Action: "firehose:PutRecordBatch", Missing: &Missing{What: "Firehose delivery stream", Name: "fh", Param: "delivery_stream"}},
			plugin.ClassRetryable, "Firehose delivery stream \"fh\" does not exist in the region from the environment (AWS_REGION); create it or fix `delivery_stream`"},
		{"without Missing (cloudwatch_logs)", notFound,
			Call{Section: "cloudwatch_logs.0", Action: "logs:PutLogEvents"},
			plugin.ClassRetryable, "output cloudwatch_logs.0: logs:PutLogEvents failed (ResourceNotFoundException), will retry"},
		{"other errors keep their class", apiErr("InvalidArgumentException", smithy.FaultClient),
			Call{Section: "kinesis_streams.0", Action: "kinesis:PutRecords", Missing: &Missing{What: "Kinesis stream", Name: "s", Param: "stream"}},
			plugin.ClassPermanent, "retrying cannot help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err, tt.call)
			if class, _, _ := plugin.Classify(got); class != tt.class {
				t.Errorf("class %s, want %s (%v)", class, tt.class, got)
			}
			if !errors.Is(got, tt.err) || !strings.Contains(got.Error(), tt.want) {
				t.Errorf("message %q: want it to contain %q and wrap the SDK error", got, tt.want)
			}
		})
	}
}
