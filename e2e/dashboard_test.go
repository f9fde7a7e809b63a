package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGrafanaDashboardQueriesExistingSeries loads the shipped dashboard and
// checks every metric its queries use against what a running Sluice (with
// filesystem buffering and a filter, so the storage and filter series
// exist) really exports.
func TestGrafanaDashboardQueriesExistingSeries(t *testing.T) {
	raw, err := os.ReadFile("../deploy/grafana/sluice-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if len(dash.Panels) < 8 {
		t.Fatalf("%d panels", len(dash.Panels))
	}

	dir := t.TempDir()
	port := freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush         0.2
    HTTP_Server   On
    HTTP_Listen   127.0.0.1
    HTTP_Port     %d
    storage.path  %s/buffer

[INPUT]
    Name           dummy
    Rate           20
    Mem_Buf_Limit  1M
    storage.type   filesystem

[FILTER]
    Name   modify
    Match  *
    Add    via sluice

[OUTPUT]
    Name   null
    Match  *
`, port, dir))
	p := start(t, nil, "-c", cfg)
	var exported string
	eventually(t, 10*time.Second, "metrics with delivered records", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics/prometheus", port))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		exported = string(b)
		return strings.Contains(exported, `fluentbit_output_proc_records_total{name="null.0"}`)
	})
	p.stop(syscall.SIGTERM, 10*time.Second)

	types := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (\S+) `).FindAllStringSubmatch(exported, -1) {
		types[m[1]] = true
	}
	metric := regexp.MustCompile(`\b(?:fluentbit|sluice)_[a-z_]+\b`)
	for _, panel := range dash.Panels {
		for _, target := range panel.Targets {
			names := metric.FindAllString(target.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q queries no Sluice metric: %s", panel.Title, target.Expr)
			}
			for _, name := range names {
				if !types[name] {
					t.Errorf("panel %q uses %s, which Sluice does not export", panel.Title, name)
				}
			}
		}
	}
}
