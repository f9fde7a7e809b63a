package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golang/snappy"
)

// promrwNeed skips the test outside CI and fails it in CI (make deps
// installs Debian's prometheus package).
func promrwNeed(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// promrwStartPrometheus starts a real Prometheus server on loopback with
// its remote-write receiver enabled, a temporary storage folder and no
// scrape targets, waits until it is ready, and returns its base URL.
func promrwStartPrometheus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		promrwNeed(t, "prometheus is not installed: run `make deps` (Debian package prometheus)")
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "prometheus.yml", "global:\n  scrape_interval: 1h\n")
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var logs syncBuffer
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
		"--web.enable-remote-write-receiver", // Prometheus 2.33 and later
		"--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	eventually(t, 30*time.Second, "prometheus to be ready", func() bool {
		code, _, err := getText(base + "/-/ready")
		return err == nil && code == 200
	})
	return base
}

// promrwSeries is one result of Prometheus's query API: the labels and
// the value of an instant vector's element.
type promrwSeries struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// promrwQuery runs an instant PromQL query against Prometheus's HTTP API.
func promrwQuery(t *testing.T, base, query string) []promrwSeries {
	t.Helper()
	var resp struct {
		Status string `json:"status"`
		Data   struct {
			Result []promrwSeries `json:"result"`
		} `json:"data"`
	}
	if code := getJSON(t, base+"/api/v1/query?query="+url.QueryEscape(query), &resp); code != 200 || resp.Status != "success" {
		t.Fatalf("query %s: HTTP %d status %s", query, code, resp.Status)
	}
	return resp.Data.Result
}

// TestPromRWFluentBitMetricsToPrometheus ships Sluice's own counters
// (fluentbit_metrics) with prometheus_remote_write into a real Prometheus
// server, and checks through Prometheus's query API the series, labels and
// values that arrived: dummy.0's input counter ends at the number of
// records dummy emitted, as the monitoring API says, after several scrapes.
func TestPromRWFluentBitMetricsToPrometheus(t *testing.T) {
	const records = 15
	prom := promrwStartPrometheus(t)
	promURL, _ := url.Parse(prom)
	monPort := freePort(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush        0.2
    Grace        5
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
    scrape_interval  250ms
    scrape_on_start  on

[OUTPUT]
    Name   null
    Match  app

[OUTPUT]
    Name       prometheus_remote_write
    Match      internal_metrics
    Host       127.0.0.1
    Port       %s
    Uri        /api/v1/write
    add_label  app sluice
    add_label  cluster e2e
    Workers    1
`, monPort, records, promURL.Port()))
	p := start(t, nil, "-c", cfg)

	query := `fluentbit_input_records_total{name="dummy.0",app="sluice"}`
	var got []promrwSeries
	eventually(t, 30*time.Second, "Prometheus to hold dummy.0's final count", func() bool {
		got = promrwQuery(t, prom, query)
		return len(got) == 1 && got[0].Value[1] == fmt.Sprint(records)
	})
	want := map[string]string{"__name__": "fluentbit_input_records_total", "name": "dummy.0", "app": "sluice", "cluster": "e2e"}
	if fmt.Sprint(got[0].Metric) != fmt.Sprint(want) {
		t.Errorf("labels %v, want %v", got[0].Metric, want)
	}
	// Several scrapes arrived as samples of the one series, and the
	// counter never went down between them.
	if n := promrwQuery(t, prom, `count_over_time(`+query+`[10m])`); len(n) != 1 || n[0].Value[1] == "1" {
		t.Errorf("samples of %s in Prometheus: %v, want more than one", query, n)
	}
	if r := promrwQuery(t, prom, `resets(`+query+`[10m])`); len(r) != 1 || r[0].Value[1] != "0" {
		t.Errorf("resets of the counter: %v, want 0", r)
	}

	// The other families arrived too, with the labels of their samples.
	var series struct {
		Data []map[string]string `json:"data"`
	}
	getJSON(t, prom+"/api/v1/series?match[]="+url.QueryEscape(`{app="sluice"}`), &series)
	names := map[string]bool{}
	for _, s := range series.Data {
		names[s["__name__"]+"/"+s["name"]] = true
	}
	for _, want := range []string{
		"fluentbit_output_proc_records_total/null.0",
		"fluentbit_output_proc_records_total/prometheus_remote_write.0",
		"fluentbit_input_records_total/fluentbit_metrics.0",
		"sluice_input_buffered_bytes/dummy.0",
	} {
		if !names[want] {
			t.Errorf("series %s missing from Prometheus (have %v)", want, names)
		}
	}

	var api struct {
		Output map[string]map[string]float64 `json:"output"`
	}
	getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", monPort), &api)
	if m := api.Output["prometheus_remote_write.0"]; m["proc_records"] == 0 || m["dropped_records"] != 0 || m["errors"] != 0 {
		t.Errorf("prometheus_remote_write.0 metrics %v, want records delivered without errors or drops", m)
	}
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d; stderr:\n%s", code, p.stderr.String())
	}
}

// promrwReceiver is a local remote-write endpoint for the status tests: it
// answers with the statuses of its script in turn (then 204) and keeps the
// decoded (snappy) bodies it accepted.
type promrwReceiver struct {
	mu       sync.Mutex
	script   []int
	accepted [][]byte
	requests int
	port     int
}

func promrwStartReceiver(t *testing.T, script ...int) *promrwReceiver {
	t.Helper()
	r := &promrwReceiver{script: script}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.requests++
		status := 204
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		if req.Header.Get("Content-Encoding") != "snappy" || req.Header.Get("Content-Type") != "application/x-protobuf" {
			status = 415
		}
		if status/100 == 2 {
			raw, err := snappy.Decode(nil, body)
			if err != nil {
				http.Error(w, "snappy: "+err.Error(), 400)
				return
			}
			r.accepted = append(r.accepted, raw)
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "test receiver says %d", status)
	}))
	t.Cleanup(srv.Close)
	r.port = srv.Listener.Addr().(*net.TCPAddr).Port
	return r
}

func (r *promrwReceiver) snapshot() (accepted [][]byte, requests int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.accepted...), r.requests
}

// promrwRun runs dummy records shaped as metrics into
// prometheus_remote_write pointed at r, and returns the process and the
// monitoring API's URL.
func promrwRun(t *testing.T, r *promrwReceiver, samples int) (*process, string) {
	monPort := freePort(t)
	cfg := writeFile(t, t.TempDir(), "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           5
    scheduler.base  0.01
    scheduler.cap   0.05
    HTTP_Server     On
    HTTP_Listen     127.0.0.1
    HTTP_Port       %d

[INPUT]
    Name     dummy
    Tag      metrics
    Dummy    {"metric":"demo_requests_total","type":"counter","labels":{"route":"/checkout"},"value":42}
    Rate     20
    Samples  %d

[OUTPUT]
    Name   prometheus_remote_write
    Match  metrics
    Host   127.0.0.1
    Port   %d
    Uri    /api/v1/write
`, monPort, samples, r.port))
	return start(t, nil, "-c", cfg), fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", monPort)
}

// promrwOutputMetrics reads the output's counters from the monitoring
// API; nil until the server answers.
func promrwOutputMetrics(t *testing.T, api string) map[string]float64 {
	t.Helper()
	code, body, err := getText(api)
	if err != nil || code != 200 {
		return nil
	}
	var m struct {
		Output map[string]map[string]float64 `json:"output"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%s: %v", api, err)
	}
	return m.Output["prometheus_remote_write.0"]
}

// TestPromRWRetries500 answers 500 three times: the records stay buffered,
// are retried, and all arrive once the receiver recovers.
func TestPromRWRetries500(t *testing.T) {
	const samples = 5
	r := promrwStartReceiver(t, 500, 500, 500)
	p, api := promrwRun(t, r, samples)
	eventually(t, 20*time.Second, "every record delivered after the 500s", func() bool {
		return promrwOutputMetrics(t, api)["proc_records"] == samples
	})
	m := promrwOutputMetrics(t, api)
	if m["retries"] < 3 || m["dropped_records"] != 0 {
		t.Errorf("metrics %v, want at least 3 retries and no drops", m)
	}
	accepted, requests := r.snapshot()
	n := 0
	for _, raw := range accepted {
		n += bytes.Count(raw, []byte("demo_requests_total"))
	}
	// One series per request, so the name is written once per accepted
	// request; the samples are what proc_records counted.
	if n != len(accepted) || requests != len(accepted)+3 {
		t.Errorf("%d accepted bodies naming the metric %d times, %d requests; want the 3 refused ones retried", len(accepted), n, requests)
	}
	if !strings.Contains(p.stderr.String(), "HTTP 500") {
		t.Errorf("the 500 was not logged:\n%s", p.stderr.String())
	}
	p.stop(syscall.SIGTERM, 10*time.Second)
}

// TestPromRWDrops400 answers 400 to everything: every record is dropped
// without a retry, counted in the monitoring API, and the drop is logged
// with the receiver's message.
func TestPromRWDrops400(t *testing.T) {
	const samples = 5
	r := promrwStartReceiver(t, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400)
	p, api := promrwRun(t, r, samples)
	eventually(t, 20*time.Second, "every record dropped", func() bool {
		return promrwOutputMetrics(t, api)["dropped_records"] == samples
	})
	m := promrwOutputMetrics(t, api)
	_, requests := r.snapshot()
	if m["retries"] != 0 || m["proc_records"] != 0 || float64(requests) != m["errors"] {
		t.Errorf("metrics %v after %d requests, want no retries and one request per dropped chunk", m, requests)
	}
	for _, want := range []string{"HTTP 400", "test receiver says 400", "dropping records"} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, p.stderr.String())
		}
	}
	var sluiceMetrics string
	_, sluiceMetrics, _ = getText(strings.Replace(api, "/api/v1/metrics", "/api/v1/metrics/prometheus", 1))
	if !strings.Contains(sluiceMetrics, `sluice_output_dropped_records_total{name="prometheus_remote_write.0",reason=`) {
		t.Errorf("no drop counter by reason in the Prometheus metrics:\n%s", sluiceMetrics)
	}
	p.stop(syscall.SIGTERM, 10*time.Second)
}
