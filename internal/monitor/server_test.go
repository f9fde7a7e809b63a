package monitor

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
)

func TestBuildInfo(t *testing.T) {
	_, _, base := startServer(t, Config{Version: "1.2.3", Commit: "abc1234"}, metrics.NewRegistry())
	resp, body := do(t, "GET", base+"/")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var info map[string]map[string]any
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	fb, sl := info["fluent-bit"], info["sluice"]
	if fb["version"] != "1.2.3" || fb["edition"] != "Sluice" {
		t.Errorf("fluent-bit key: %v", fb)
	}
	if flags, ok := fb["flags"].([]any); !ok || len(flags) != 0 {
		t.Errorf("flags must be an empty array, got %#v", fb["flags"])
	}
	if sl["version"] != "1.2.3" || sl["commit"] != "abc1234" || sl["go_version"] != runtime.Version() {
		t.Errorf("sluice key: %v", sl)
	}
}

func TestUptime(t *testing.T) {
	reg := metrics.NewRegistry()
	_, clock, base := startServer(t, Config{}, reg)
	// Fluent Bit's documented example: 8 seconds after start.
	clock.Set(reg.Start().Add(8*time.Second + 900*time.Millisecond))
	resp, body := do(t, "GET", base+"/api/v1/uptime")
	if want := `{"uptime_sec":8,"uptime_hr":"Fluent Bit has been running:  0 day, 0 hour, 0 minute and 8 seconds"}` + "\n"; resp.StatusCode != 200 || body != want {
		t.Errorf("got %d %q\nwant %q", resp.StatusCode, body, want)
	}
}

func TestUptimeHuman(t *testing.T) {
	tests := []struct {
		sec  uint64
		want string
	}{
		{0, "0 day, 0 hour, 0 minute and 0 second"},
		{8, "0 day, 0 hour, 0 minute and 8 seconds"},
		{90061, "1 day, 1 hour, 1 minute and 1 second"},
		{2*86400 + 2*3600 + 2*60 + 2, "2 days, 2 hours, 2 minutes and 2 seconds"},
		{3599, "0 day, 0 hour, 59 minutes and 59 seconds"},
	}
	for _, tt := range tests {
		if got := uptimeHuman(tt.sec); got != "Fluent Bit has been running:  "+tt.want {
			t.Errorf("uptimeHuman(%d) = %q", tt.sec, got)
		}
	}
}

func TestMetricsJSON(t *testing.T) {
	reg := metrics.NewRegistry()
	tail := reg.NewInput("tail.1", "tail", 0) // registered first, sorts last
	tail.Records.Add(3)
	tail.Bytes.Add(300)
	dummy := reg.NewInput("dummy.0", "dummy", 0)
	dummy.Records.Add(7)
	grep := reg.NewFilter("grep.0", "grep")
	grep.Records.Add(10)
	grep.DropRecords.Add(4)
	out := reg.NewOutput("stdout.0", "stdout")
	out.ProcRecords.Add(5)
	out.ProcBytes.Add(500)
	out.Errors.Add(2)
	out.Retries.Add(2)
	out.RetriesFailed.Add(1)
	out.RetriedRecords.Add(6)
	out.Drop("retry_limit", 3)
	_, _, base := startServer(t, Config{}, reg)

	resp, body := do(t, "GET", base+"/api/v1/metrics")
	var m map[string]map[string]map[string]uint64
	if err := json.Unmarshal([]byte(body), &m); resp.StatusCode != 200 || err != nil {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	want := map[string]map[string]map[string]uint64{
		"input": {
			"tail.1":  {"records": 3, "bytes": 300},
			"dummy.0": {"records": 7, "bytes": 0},
		},
		"filter": {"grep.0": {"drop_records": 4, "add_records": 0, "records": 10}},
		"output": {"stdout.0": {
			"proc_records": 5, "proc_bytes": 500, "errors": 2, "retries": 2,
			"retries_failed": 1, "dropped_records": 3, "retried_records": 6,
		}},
	}
	if got, _ := json.Marshal(m); string(got) != mustJSON(t, want) {
		t.Errorf("got  %s\nwant %s", got, mustJSON(t, want))
	}
	// Registration order, and Fluent Bit's key order, survive.
	for _, pair := range [][2]string{{`"tail.1"`, `"dummy.0"`}, {`"proc_records"`, `"proc_bytes"`}, {`"retries_failed"`, `"dropped_records"`}} {
		if strings.Index(body, pair[0]) > strings.Index(body, pair[1]) {
			t.Errorf("%s should come before %s in %s", pair[0], pair[1], body)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMetricsJSONEmptyRegistry(t *testing.T) {
	_, _, base := startServer(t, Config{}, metrics.NewRegistry())
	if _, body := do(t, "GET", base+"/api/v1/metrics"); body != `{"input":{},"filter":{},"output":{}}`+"\n" {
		t.Errorf("got %q", body)
	}
}

func TestRouting(t *testing.T) {
	s, _, base := startServer(t, Config{}, metrics.NewRegistry())
	s.Handle("POST /api/v2/reload", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	tests := []struct {
		method, path string
		status       int
		allow        string // Allow header values, comma-joined
	}{
		{"GET", "/api/v1/health", 200, ""},
		{"HEAD", "/api/v1/metrics", 200, ""},
		{"GET", "/api/v2/metrics/prometheus", 200, ""},
		{"GET", "/no/such/path", 404, ""},
		{"GET", "/api/v1/metrics/", 404, ""}, // Fluent Bit matches paths exactly
		{"GET", "/index.html", 404, ""},
		{"POST", "/api/v1/metrics", 405, "GET,HEAD"},
		{"DELETE", "/", 405, "GET,HEAD"},
		{"POST", "/api/v2/reload", 202, ""},
		{"GET", "/api/v2/reload", 405, "POST"},
	}
	for _, tt := range tests {
		resp, body := do(t, tt.method, base+tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: status %d, want %d (%s)", tt.method, tt.path, resp.StatusCode, tt.status, body)
			continue
		}
		if got := strings.Join(resp.Header.Values("Allow"), ","); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
		if tt.status == 404 || tt.status == 405 {
			var e struct{ Error, Path string }
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" || e.Path != tt.path {
				t.Errorf("%s %s: error body %q (%v)", tt.method, tt.path, body, err)
			}
		}
	}
}

func TestStartErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	s := New(Config{Listen: "127.0.0.1", Port: port}, metrics.NewRegistry(), nil)
	err = s.Start()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "HTTP_Port") {
		t.Errorf("port in use: got %v; want the address and what to change", err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Errorf("shutdown of a server that never started: %v", err)
	}

	s2, _, _ := startServer(t, Config{}, metrics.NewRegistry())
	if err := s2.Start(); err == nil {
		t.Error("second Start succeeded")
	}
}

// TestShutdownStopsGoroutines checks that Shutdown returns only after the
// serve and sampler goroutines are gone, and that a second call is harmless.
func TestShutdownStopsGoroutines(t *testing.T) {
	s := New(Config{Listen: "127.0.0.1", HealthCheck: true}, metrics.NewRegistry(), nil)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	do(t, "GET", "http://"+s.Addr().String()+"/api/v1/health")
	const sampler, serve = "monitor.(*Server).sampleHealth", "net/http.(*Server).Serve("
	if st := stacks(); !strings.Contains(st, sampler) || !strings.Contains(st, serve) {
		t.Fatalf("server goroutines not found while running:\n%s", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if st := stacks(); strings.Contains(st, sampler) || strings.Contains(st, serve) {
		t.Errorf("goroutines left after Shutdown:\n%s", st)
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	if _, err := net.Dial("tcp", s.Addr().String()); err == nil {
		t.Error("listener still accepts connections after Shutdown")
	}
}

func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}
