package monitor

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
)

func TestHealthWindow(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		name    string
		samples [][3]uint64 // seconds after t0, errors, retry failures
		healthy bool
	}{
		{"no samples", nil, true},
		{"errors at threshold", [][3]uint64{{0, 0, 0}, {10, 5, 0}}, true},
		{"errors over threshold", [][3]uint64{{0, 0, 0}, {10, 6, 0}}, false},
		{"retry failures over threshold", [][3]uint64{{0, 0, 0}, {10, 0, 6}}, false},
		{"old errors leave the window", [][3]uint64{{0, 0, 0}, {10, 50, 0}, {80, 50, 0}, {100, 51, 0}}, true},
	}
	for _, tt := range tests {
		h := newHealthWindow(60 * time.Second)
		for _, s := range tt.samples {
			h.add(t0.Add(time.Duration(s[0])*time.Second), s[1], s[2])
		}
		if got := h.healthy(5, 5); got != tt.healthy {
			e, f := h.within()
			t.Errorf("%s: healthy = %v (errors %d, failures %d), want %v", tt.name, got, e, f, tt.healthy)
		}
	}
}

func TestEndpoints(t *testing.T) {
	reg := metrics.NewRegistry()
	in := reg.NewInput("dummy.0", "dummy", 1<<20)
	in.Records.Add(7)
	in.Bytes.Add(700)
	out := reg.NewOutput(`we"ird.0`, "stdout")
	out.ProcRecords.Add(5)
	out.Drop("retry_limit", 2)
	s := New(Config{Listen: "127.0.0.1", Port: 0, Version: "1.2.3"}, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	base := "http://" + s.Addr().String()
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/api/v1/metrics")
	var m map[string]map[string]map[string]uint64
	if err := json.Unmarshal([]byte(body), &m); code != 200 || err != nil {
		t.Fatalf("metrics: %d %v %s", code, err, body)
	}
	if m["input"]["dummy.0"]["records"] != 7 || m["output"][`we"ird.0`]["dropped_records"] != 2 {
		t.Errorf("metrics body: %s", body)
	}
	code, body = get("/api/v1/metrics/prometheus")
	for _, want := range []string{
		"# TYPE fluentbit_input_records_total counter\n",
		`fluentbit_input_records_total{name="dummy.0"} 7`,
		`fluentbit_output_proc_records_total{name="we\"ird.0"} 5`,
		`sluice_output_dropped_records_total{name="we\"ird.0",reason="retry_limit"} 2`,
		`sluice_input_mem_buf_limit_bytes{name="dummy.0"} 1.048576e+06`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("prometheus lacks %q:\n%s", want, body)
		}
	}
	if code, body = get("/api/v1/uptime"); code != 200 || !strings.Contains(body, "Fluent Bit has been running:") {
		t.Errorf("uptime: %d %s", code, body)
	}
	if code, body = get("/api/v1/health"); code != 200 || body != "ok\n" {
		t.Errorf("health: %d %q", code, body)
	}
	if code, _ = get("/no/such/path"); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
	if code, body = get("/"); code != 200 || !strings.Contains(body, `"version":"1.2.3"`) {
		t.Errorf("build info: %d %s", code, body)
	}
}

func TestUptimeHuman(t *testing.T) {
	if got := uptimeHuman(90061); got != "Fluent Bit has been running:  1 day, 1 hour, 1 minute and 1 second" {
		t.Errorf("got %q", got)
	}
}
