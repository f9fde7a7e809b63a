package firehose

import (
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func TestMapping(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{"region", "us-west-2", "delivery_stream", "s", "time_key", "t", "time_key_format", "%Y %L", "experimental_concurrency", "4"}, ""},
		{[]string{"region", "us-west-2", "delivery_stream", "s", "replace_dots", "_"}, "rename them"},
		{[]string{"region", "us-west-2", "delivery_stream", "s", "simple_aggregation", "maybe"}, "simple_aggregation"},
	} {
		s, err := plugintest.TrySettings(Spec(), tc.kv...)
		if err == nil {
			_, err = Spec().NewOutput(s)
		}
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.kv, err, tc.want)
		}
	}
}
