package cloudwatch

import (
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func TestTranslate(t *testing.T) {
	for in, want := range map[string]string{
		"/ecs/$(ecs_cluster)":                      "/ecs/$ecs_cluster",
		"$(tag)-$(tag[1])":                         "$TAG-$TAG[1]",
		"/eks/#(kubernetes['namespace_name'])/app": "/eks/$kubernetes['namespace_name']/app",
		"static": "static",
	} {
		got, _, err := translate(in)
		if err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", in, got, err, want)
		}
	}
	if _, _, err := translate("$(ecs_task_id)"); err == nil {
		t.Error("ecs_task_id accepted")
	}
}

func TestNewMapsOntoCloudWatchLogs(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want string // error substring, "" for success
	}{
		{[]string{"region", "us-east-1", "log_group_name", "/ecs/$(ecs_cluster)", "log_stream_prefix", "app-", "auto_create_group", "true", "experimental_concurrency", "4"}, ""},
		{[]string{"region", "us-east-1", "log_group_name", "g", "log_stream_name", "$(tag)"}, ""},
		{[]string{"region", "us-east-1", "log_group_name", "g", "log_stream_prefix", "p", "credentials_endpoint", "http://x"}, "AWS_CONTAINER_CREDENTIALS_FULL_URI"},
		{[]string{"region", "us-east-1", "log_group_name", "$(ecs_task_id)"}, "ecs_task_arn"},
		{[]string{"region", "us-east-1", "log_group_name", "g", "log_stream_prefix", "p", "log_retention_days", "2"}, "test.conf:5: [output] cloudwatch log_retention_days: invalid value \"2\""},
		{[]string{"region", "us-east-1", "log_group_name", "g"}, "test.conf:1: [output] cloudwatch log_stream_name: set log_stream_name, or log_stream_prefix"},
	} {
		s, err := plugintest.TrySettings(Spec(), tc.kv...)
		if err == nil {
			_, err = New(s)
		}
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.kv, err, tc.want)
		}
	}
}
