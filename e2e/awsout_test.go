package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// awsoutEnv gives sluice (started after it) static test credentials and
// none of the host's AWS configuration.
func awsoutEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// awsoutDecodeLines parses newline-terminated JSON records, as the AWS
// outputs write them, failing on anything else.
func awsoutDecodeLines(t *testing.T, blobs [][]byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, b := range blobs {
		s := string(b)
		if !strings.HasSuffix(s, "\n") {
			t.Fatalf("record is not newline-terminated: %.80q", s)
		}
		for _, line := range strings.SplitAfter(s, "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("record is not JSON: %v: %.80q", err, line)
			}
			out = append(out, m)
		}
	}
	return out
}
