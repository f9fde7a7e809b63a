package cloudwatchlogs

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

// failFirst answers the first n requests with 503, then passes them to the
// emulator.
type failFirst struct {
	n   atomic.Int32
	emu *cwlemu.Server
}

func (f *failFirst) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.n.Add(-1) >= 0 {
		w.Header().Set("X-Amzn-Errortype", "ServiceUnavailableException")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"__type":"ServiceUnavailableException","message":"try again"}`))
		return
	}
	f.emu.ServeHTTP(w, r)
}

// TestClientFromConfig builds the SDK client the way a deployment does —
// awsconf.Load from the section's parameters, credentials from the
// environment — and checks auto_retry_requests: on, one failed request is
// retried at once by the SDK; off, it goes back to the engine.
func TestClientFromConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, tt := range []struct {
		retry string
		fail  bool
	}{{"on", false}, {"off", true}} {
		t.Run("auto_retry_requests "+tt.retry, func(t *testing.T) {
			emu := cwlemu.New(cwlemu.Options{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"})
			h := &failFirst{emu: emu}
			srv := httptest.NewServer(h)
			defer srv.Close()
			o := newOutput(t, nil, "region", "eu-west-1", "log_group_name", "g", "log_stream_name", "s",
				"auto_create_group", "on", "endpoint", srv.URL, "auto_retry_requests", tt.retry)
			h.n.Store(1)
			err := flush(t, o, chunkOf(t, "t", numbered(3, seqBody)...))
			if tt.fail != (err != nil) {
				t.Fatalf("error %v", err)
			}
			if err != nil {
				if err := flush(t, o, chunkOf(t, "t", numbered(3, seqBody)...)); err != nil {
					t.Fatalf("the engine's retry: %v", err)
				}
			}
			if got := len(emu.Events("g", "s")); got != 3 {
				t.Fatalf("%d events", got)
			}
		})
	}
}
