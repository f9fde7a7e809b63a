package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMonitoringEndpoints starts the binary with the HTTP server and checks
// each endpoint's status and shape against Fluent Bit's documented ones.
func TestMonitoringEndpoints(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush         0.1
    Grace         2
    HTTP_Server   On
    HTTP_Listen   127.0.0.1
    HTTP_Port     %d
    Health_Check  On

[INPUT]
    Name     dummy
    Tag      app
    Samples  5
    Rate     50

[OUTPUT]
    Name   null
    Match  *
`, port))
	p := start(t, nil, "-c", cfg)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var metrics struct {
		Input  map[string]map[string]float64 `json:"input"`
		Filter map[string]map[string]float64 `json:"filter"`
		Output map[string]map[string]float64 `json:"output"`
	}
	eventually(t, 10*time.Second, "5 records processed", func() bool {
		if code, _, err := getText(base + "/api/v1/metrics"); err != nil || code != 200 {
			return false
		}
		getJSON(t, base+"/api/v1/metrics", &metrics)
		return metrics.Output["null.0"]["proc_records"] == 5
	})
	if metrics.Input["dummy.0"]["records"] != 5 || metrics.Input["dummy.0"]["bytes"] == 0 {
		t.Errorf("input metrics: %v", metrics.Input)
	}
	for _, key := range []string{"proc_records", "proc_bytes", "errors", "retries", "retries_failed", "dropped_records", "retried_records"} {
		if _, ok := metrics.Output["null.0"][key]; !ok {
			t.Errorf("output metrics lack %q: %v", key, metrics.Output["null.0"])
		}
	}

	var uptime struct {
		UptimeSec float64 `json:"uptime_sec"`
		UptimeHr  string  `json:"uptime_hr"`
	}
	if code := getJSON(t, base+"/api/v1/uptime", &uptime); code != 200 || !strings.Contains(uptime.UptimeHr, "running") {
		t.Errorf("uptime: %d %+v", code, uptime)
	}

	var info map[string]map[string]any
	if code := getJSON(t, base+"/", &info); code != 200 || info["fluent-bit"]["version"] == nil {
		t.Errorf("build info: %d %v", code, info)
	}

	if code, body, err := getText(base + "/api/v1/health"); err != nil || code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("health: %d %q %v", code, body, err)
	}

	code, body, err := getText(base + "/api/v1/metrics/prometheus")
	if err != nil || code != 200 {
		t.Fatalf("prometheus: %d %v", code, err)
	}
	sample := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+( [0-9]+)?$`)
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if !sample.MatchString(line) {
			t.Errorf("invalid Prometheus sample line %q", line)
		}
	}
	for _, want := range []string{
		`fluentbit_input_records_total{name="dummy.0"} 5`,
		`fluentbit_output_proc_records_total{name="null.0"} 5`,
		`fluentbit_output_dropped_records_total{name="null.0"} 0`,
		`# TYPE fluentbit_output_errors_total counter`,
		`fluentbit_uptime`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("prometheus output lacks %q", want)
		}
	}
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
