package prometheusremotewrite

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/plugins/input/fluentbitmetrics"
)

// receiver is a remote-write endpoint that records every request and
// answers with the next status of its list (the last one repeats).
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	statuses []int
	reqs     []*http.Request
	bodies   [][]byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, req)
		r.bodies = append(r.bodies, b)
		status := 204
		if len(r.statuses) > 0 {
			status = r.statuses[0]
			if len(r.statuses) > 1 {
				r.statuses = r.statuses[1:]
			}
		}
		r.mu.Unlock()
		if status != 204 {
			w.WriteHeader(status)
			fmt.Fprintf(w, "status %d from the test receiver", status)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

func (r *receiver) settings(t *testing.T, kv ...string) plugin.Settings {
	port := r.srv.Listener.Addr().(*net.TCPAddr).Port
	return plugintest.Settings(t, Spec(), append([]string{"host", "127.0.0.1", "port", strconv.Itoa(port), "uri", "/api/v1/write"}, kv...)...)
}

func (r *receiver) last(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("no request arrived")
	}
	return r.reqs[len(r.reqs)-1], r.bodies[len(r.bodies)-1]
}

func newOutput(t *testing.T, s plugin.Settings) *Output {
	t.Helper()
	o, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return o
}

func flushEvents(o *Output, data []byte, n int) error {
	return o.Flush(context.Background(), &record.Chunk{Tag: "internal_metrics", Data: data, Records: n})
}

func TestRequestHeadersAndBody(t *testing.T) {
	r := newReceiver(t)
	o := newOutput(t, r.settings(t, "http_user", "u", "http_passwd", "p", "header", "X-Scope-OrgID tenant-z", "header", "x-scope-orgid tenant-a", "add_label", "app sluice"))
	data, n := plugintest.Events(t,
		`{"metric":"fluentbit_input_records_total","type":"counter","labels":{"name":"tail.0"},"value":7}`,
		`{"metric":"fluentbit_input_records_total","type":"counter","labels":{"name":"tail.0"},"value":9}`)
	if err := flushEvents(o, data, n); err != nil {
		t.Fatal(err)
	}
	req, body := r.last(t)
	for h, want := range map[string]string{
		"Content-Encoding":                  "snappy",
		"Content-Type":                      "application/x-protobuf",
		"X-Prometheus-Remote-Write-Version": "0.1.0",
		"X-Scope-Orgid":                     "tenant-a",
	} {
		if got := req.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if v := req.Header.Values("X-Scope-Orgid"); len(v) != 1 {
		t.Errorf("X-Scope-OrgID sent as %q, want only the last value, as Fluent Bit", v)
	}
	if u, p, _ := req.BasicAuth(); u != "u" || p != "p" {
		t.Errorf("basic auth %q %q", u, p)
	}
	if req.Method != http.MethodPost || req.URL.Path != "/api/v1/write" {
		t.Errorf("%s %s", req.Method, req.URL.Path)
	}
	got := fmt.Sprint(decodeWriteRequest(t, body))
	// plugintest.Events times the records 1 s apart from 2024-01-01.
	want := "[{__name__=fluentbit_input_records_total,app=sluice,name=tail.0} 1704067200000:7 1704067201000:9]"
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestCompression(t *testing.T) {
	for _, tc := range []struct {
		name   string
		decode func([]byte) ([]byte, error)
	}{
		{"gzip", func(b []byte) ([]byte, error) {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(zr)
		}},
		{"zstd", func(b []byte) ([]byte, error) {
			d, err := zstd.NewReader(nil)
			if err != nil {
				return nil, err
			}
			defer d.Close()
			return d.DecodeAll(b, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReceiver(t)
			o := newOutput(t, r.settings(t, "compression", tc.name))
			data, n := plugintest.Events(t, `{"metric":"up","value":1}`)
			if err := flushEvents(o, data, n); err != nil {
				t.Fatal(err)
			}
			req, body := r.last(t)
			if ce := req.Header.Get("Content-Encoding"); ce != tc.name {
				t.Errorf("Content-Encoding %q", ce)
			}
			raw, err := tc.decode(body)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(decodeProto(t, raw)); got != "[{__name__=up} 1704067200000:1]" {
				t.Errorf("got %s", got)
			}
		})
	}
}

// TestStatusClassification checks what the engine is told for each
// response: 5xx and 429 keep the records for a retry, 400 and other 4xx
// drop them (permanent: counted by the engine).
func TestStatusClassification(t *testing.T) {
	for _, tc := range []struct {
		status int
		class  plugin.ErrorClass
	}{
		{500, plugin.ClassRetryable},
		{502, plugin.ClassRetryable},
		{503, plugin.ClassRetryable},
		{429, plugin.ClassThrottled},
		{401, plugin.ClassRetryable},
		{400, plugin.ClassPermanent},
		{404, plugin.ClassPermanent},
		{413, plugin.ClassPermanent},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			r := newReceiver(t, tc.status)
			o := newOutput(t, r.settings(t))
			data, n := plugintest.Events(t, `{"metric":"up","value":1}`, `{"metric":"up","value":0}`)
			err := flushEvents(o, data, n)
			class, _, _ := plugin.Classify(err)
			if err == nil || class != tc.class {
				t.Fatalf("error %v (%s), want class %s", err, class, tc.class)
			}
			for _, want := range []string{"prometheus_remote_write.0", "/api/v1/write", strconv.Itoa(tc.status), "from the test receiver"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
	t.Run("log_response_payload off", func(t *testing.T) {
		r := newReceiver(t, 400)
		o := newOutput(t, r.settings(t, "log_response_payload", "off"))
		data, n := plugintest.Events(t, `{"metric":"up","value":1}`)
		err := flushEvents(o, data, n)
		if class, _, _ := plugin.Classify(err); class != plugin.ClassPermanent || strings.Contains(err.Error(), "test receiver") {
			t.Errorf("error %v (%s), want permanent without the response body", err, class)
		}
	})
}

func TestNonMetricRecordsAreRejectedOthersSent(t *testing.T) {
	r := newReceiver(t)
	o := newOutput(t, r.settings(t))
	data, n := plugintest.Events(t, `{"log":"not a metric"}`, `{"metric":"up","value":1}`, `{"metric":"9bad","value":1}`)
	err := flushEvents(o, data, n)
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || len(failed) != 0 || fmt.Sprint(plugin.Rejected(err)) != "[0 2]" {
		t.Fatalf("got %v (%s, failed %v, rejected %v), want records 0 and 2 rejected", err, class, failed, plugin.Rejected(err))
	}
	if !strings.Contains(err.Error(), "not a metric record") {
		t.Errorf("error %q does not say why", err)
	}
	if _, body := r.last(t); fmt.Sprint(decodeWriteRequest(t, body)) != "[{__name__=up} 1704067201000:1]" {
		t.Errorf("sent %v", decodeWriteRequest(t, body))
	}
	// A chunk of nothing but log records sends no request at all.
	before := r.count()
	data, n = plugintest.Events(t, `{"log":"x"}`)
	if class, _, _ := plugin.Classify(flushEvents(o, data, n)); class != plugin.ClassPermanent || r.count() != before {
		t.Errorf("class %s, %d requests, want permanent and none", class, r.count()-before)
	}
}

func TestSigV4SignsForAPS(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	r := newReceiver(t)
	o := newOutput(t, r.settings(t, "AWS_Auth", "on", "AWS_Region", "eu-west-1"))
	data, n := plugintest.Events(t, `{"metric":"up","value":1}`)
	if err := flushEvents(o, data, n); err != nil {
		t.Fatal(err)
	}
	req, _ := r.last(t)
	if auth := req.Header.Get("Authorization"); !strings.Contains(auth, "/eu-west-1/aps/aws4_request") ||
		!strings.Contains(auth, "content-encoding") {
		t.Errorf("Authorization %q: want a signature for aps covering the headers", auth)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		name string
	}{
		{[]string{"add_label", "bad-name x"}, "add_label"},
		{[]string{"proxy", "nohost"}, "proxy"},
		{[]string{"http_passwd", "p"}, "http_passwd"},
		{[]string{"compression", "lz4"}, "compression"},
		{[]string{"header", "Bad:Name v"}, "header"},
	} {
		s, err := plugintest.TrySettings(Spec(), tc.kv...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%v: err %v, want one naming %s", tc.kv, err, tc.name)
		}
	}
	o := newOutput(t, plugintest.Settings(t, Spec(), "uri", "api/v1/write"))
	if o.uri != "/api/v1/write" {
		t.Errorf("uri %q, want a leading / added", o.uri)
	}
}

// TestWritesWhatFluentBitMetricsEmits goes from a registry through the
// fluentbit_metrics record shape to a decoded WriteRequest.
func TestWritesWhatFluentBitMetricsEmits(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.NewInput("dummy.0", "dummy", 0).Records.Add(99)
	reg.NewOutput("null.0", "null").Drop("retry_limit", 3)
	var b record.Builder
	fluentbitmetrics.AppendRecords(&b, record.Time(1_700_000_000_500e6), reg.Families())
	r := newReceiver(t)
	o := newOutput(t, r.settings(t))
	if err := flushEvents(o, b.Bytes(), b.Records()); err != nil {
		t.Fatal(err)
	}
	_, body := r.last(t)
	got := strs(decodeWriteRequest(t, body))
	for _, want := range []string{
		"{__name__=fluentbit_input_records_total,name=dummy.0} 1700000000500:99",
		"{__name__=sluice_output_dropped_records_total,name=null.0,reason=retry_limit} 1700000000500:3",
	} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("missing %s in\n%s", want, strings.Join(got, "\n"))
		}
	}
	if len(got) != b.Records() {
		t.Errorf("%d series for %d records", len(got), b.Records())
	}
}
