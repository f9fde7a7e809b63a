package e2e

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// metricsSample returns the value of the sample of body (a Prometheus text
// scrape) whose name and labels are series, e.g.
// `fluentbit_input_records_total{name="dummy.0"}`.
func metricsSample(body, series string) (uint64, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9]+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseUint(m[1], 10, 64)
	return v, err == nil
}

// TestMetricsPipelineToPrometheusExporter runs dummy -> null beside
// fluentbit_metrics -> prometheus_exporter, scrapes the exporter over HTTP
// as Prometheus would, and checks that dummy.0's input counter grows and
// ends where the monitoring server's /api/v1/metrics says it is.
func TestMetricsPipelineToPrometheusExporter(t *testing.T) {
	const records = 20
	dir := t.TempDir()
	monPort, expPort := freePort(t), freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush        0.1
    Grace        2
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d

[INPUT]
    Name     dummy
    Tag      app
    Rate     10
    Samples  %d

[INPUT]
    Name             fluentbit_metrics
    Tag              internal_metrics
    scrape_interval  100ms
    scrape_on_start  on

[OUTPUT]
    Name   null
    Match  app

[OUTPUT]
    Name       prometheus_exporter
    Match      internal_metrics
    Host       127.0.0.1
    Port       %d
    add_label  app sluice
`, monPort, records, expPort))
	p := start(t, nil, "-c", cfg)
	exporter := fmt.Sprintf("http://127.0.0.1:%d/metrics", expPort)
	series := `fluentbit_input_records_total{app="sluice",name="dummy.0"}`

	var seen []uint64
	var body string
	eventually(t, 20*time.Second, "the exporter to serve dummy.0's final count", func() bool {
		code, b, err := getText(exporter)
		if err != nil || code != 200 {
			return false
		}
		body = b
		v, ok := metricsSample(body, series)
		if ok && (len(seen) == 0 || seen[len(seen)-1] != v) {
			seen = append(seen, v)
		}
		return ok && v == records
	})
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Errorf("dummy.0's counter went down: %v", seen)
		}
	}
	if len(seen) < 2 {
		t.Errorf("dummy.0's counter never grew while scraped (values seen: %v)", seen)
	}

	var api struct {
		Input  map[string]map[string]float64 `json:"input"`
		Output map[string]map[string]float64 `json:"output"`
	}
	getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", monPort), &api)
	if got := api.Input["dummy.0"]["records"]; got != records {
		t.Errorf("/api/v1/metrics says dummy.0 has %v records, the exporter %d", got, records)
	}
	// The null output's count settles too; the exporter catches up within
	// a few scrapes.
	eventually(t, 10*time.Second, "null.0's delivered count to match /api/v1/metrics", func() bool {
		_, b, err := getText(exporter)
		if err != nil {
			return false
		}
		getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", monPort), &api)
		v, ok := metricsSample(b, `fluentbit_output_proc_records_total{app="sluice",name="null.0"}`)
		body = b
		return ok && v == records && api.Output["null.0"]["proc_records"] == records
	})
	for _, want := range []string{
		"# TYPE fluentbit_input_records_total counter\n",
		"# TYPE sluice_input_buffered_bytes gauge\n",
		`fluentbit_input_records_total{app="sluice",name="fluentbit_metrics.0"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q:\n%s", want, body)
		}
	}
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if code, _, err := getText(exporter); err == nil {
		t.Errorf("exporter still answers (%d) after exit", code)
	}
}
