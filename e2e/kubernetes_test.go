package e2e

import (
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Tags of two pods of the kubernetes filter's testdata, as the tail input
// makes them from /var/log/containers file names.
const (
	k8sAPITag   = "kube.var.log.containers.api-7d9f8b6c5d-x2x4z_payments_api-4a1f5c2e9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f.log"
	k8sNginxTag = "kube.var.log.containers.web-0_frontend_nginx-2222222222222222222222222222222222222222222222222222222222222222.log"
)

// k8sAPI is a loopback Kubernetes API server answering with the recorded
// responses in plugins/filter/kubernetes/testdata. It requires the bearer
// token "e2e-token"; failing makes it answer 503, stalled makes it hold
// every answer until the test ends.
type k8sAPI struct {
	srv      *httptest.Server
	failing  atomic.Bool
	stalled  atomic.Bool
	requests atomic.Int64
	stop     chan struct{}
}

func k8sStartAPI(t *testing.T, useTLS bool) *k8sAPI {
	t.Helper()
	a := &k8sAPI{stop: make(chan struct{})}
	files := map[string]string{
		"/api/v1/namespaces/payments/pods/api-7d9f8b6c5d-x2x4z": "pod_payments_api.json",
		"/api/v1/namespaces/frontend/pods/web-0":                "pod_frontend_api.json",
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.requests.Add(1)
		if a.stalled.Load() {
			select {
			case <-a.stop:
			case <-r.Context().Done():
			}
			return
		}
		if r.Header.Get("Authorization") != "Bearer e2e-token" {
			http.Error(w, `{"kind":"Status","code":401}`, http.StatusUnauthorized)
			return
		}
		if a.failing.Load() {
			http.Error(w, `{"kind":"Status","code":503}`, http.StatusServiceUnavailable)
			return
		}
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join("..", "plugins", "filter", "kubernetes", "testdata", name))
		if err != nil {
			t.Error(err)
		}
		w.Write(data)
	})
	if useTLS {
		a.srv = httptest.NewTLSServer(h)
	} else {
		a.srv = httptest.NewServer(h)
	}
	t.Cleanup(func() { close(a.stop); a.srv.Close() })
	return a
}

// k8sConfig writes a pipeline of a stdin input tagged as the api pod, the
// extra sections given, the kubernetes filter with params, and a file
// output, and returns the config path and the output file.
func k8sConfig(t *testing.T, api *k8sAPI, extraInputs, params string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	token := writeFile(t, dir, "token", "e2e-token\n")
	if api.srv.TLS != nil {
		ca := writeFile(t, dir, "ca.crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.srv.Certificate().Raw})))
		params += "\n    Kube_CA_File     " + ca
	}
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush         0.1
    Grace         5
    Log_Level     info
    Parsers_File  parsers.conf

[INPUT]
    Name  stdin
    Tag   %s
%s
[FILTER]
    Name             kubernetes
    Match            kube.*
    Kube_URL         %s
    Kube_Token_File  %s
%s
[OUTPUT]
    Name    file
    Match   kube.*
    Path    %s
    File    out.log
    Format  plain
`, k8sAPITag, extraInputs, api.srv.URL, token, params, dir))
	return cfg, filepath.Join(dir, "out.log")
}

// k8sLines returns n stdin lines of a container whose log is JSON with a
// seq field, starting at from.
func k8sLines(from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, `{"log":"{\"seq\":%d,\"level\":\"info\"}\n","stream":"stdout"}`+"\n", i)
	}
	return b.String()
}

func k8sMeta(r map[string]any) map[string]any {
	m, _ := r["kubernetes"].(map[string]any)
	return m
}

// TestKubernetesFilterEnrichesMergesAndExcludes runs the binary against a
// TLS API server that requires a token: records of two pods in two
// namespaces get their own metadata, JSON logs are merged, the frontend
// pod's access log is parsed by the nginx parser its fluentbit.io/parser
// annotation names, and the stderr it excludes by annotation never arrives.
func TestKubernetesFilterEnrichesMergesAndExcludes(t *testing.T) {
	const n = 500
	api := k8sStartAPI(t, true)
	cfg, out := k8sConfig(t, api, fmt.Sprintf(`
[INPUT]
    Name     dummy
    Tag      %[1]s
    Dummy    {"log":"10.0.3.1 - - [30/Nov/2026:08:12:44 +0000] \"GET /index.html HTTP/1.1\" 200 512 \"-\" \"curl/8.5\"","stream":"stdout"}
    Samples  5
    Rate     50

[INPUT]
    Name     dummy
    Tag      %[1]s
    Dummy    {"log":"upstream timed out","stream":"stderr"}
    Samples  5
    Rate     50
`, k8sNginxTag), `    Merge_Log             On
    Keep_Log              Off
    K8S-Logging.Exclude   On
    K8S-Logging.Parser    On`)
	p := start(t, strings.NewReader(k8sLines(0, n)), "-c", cfg)
	eventually(t, 20*time.Second, "all records", func() bool {
		web := 0
		for _, r := range jsonLines(t, out) {
			if r["path"] == "/index.html" {
				web++
			}
		}
		return len(jsonLines(t, out)) >= n+5 && web == 5
	})
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var app, web []map[string]any
	for _, r := range jsonLines(t, out) {
		switch {
		case r["log"] == "upstream timed out":
			t.Fatalf("excluded stderr record arrived: %v", r)
		case r["path"] == "/index.html":
			web = append(web, r)
		default:
			app = append(app, r)
		}
	}
	checkSequence(t, app, "seq", n)
	for _, r := range app {
		k := k8sMeta(r)
		labels, _ := k["labels"].(map[string]any)
		if _, kept := r["log"]; kept || r["level"] != "info" || k["pod_name"] != "api-7d9f8b6c5d-x2x4z" ||
			k["namespace_name"] != "payments" || labels["tier"] != "backend" || k["host"] != "ip-10-0-12-34.eu-west-1.compute.internal" {
			t.Fatalf("api record: %v", r)
		}
	}
	for _, r := range web {
		k := k8sMeta(r)
		if k["namespace_name"] != "frontend" || k["container_name"] != "nginx" || k["container_image"] != "nginx:1.27" ||
			r["method"] != "GET" || r["code"] != "200" || r["agent"] != "curl/8.5" || r["log"] != nil {
			t.Fatalf("web record: %v", r)
		}
	}
	if got := api.requests.Load(); got != 2 {
		t.Errorf("%d API requests; want one per pod", got)
	}
}

// TestKubernetesFilterAPIOutageLosesNothing feeds records while the API
// answers 503, then after it recovers: every record arrives exactly once,
// the early ones without metadata, the later ones with it.
func TestKubernetesFilterAPIOutageLosesNothing(t *testing.T) {
	const n = 200
	api := k8sStartAPI(t, false)
	api.failing.Store(true)
	cfg, out := k8sConfig(t, api, "", `    Merge_Log                     On
    Kube_Meta_Negative_Cache_TTL  200ms`)
	stdin, w := io.Pipe()
	p := start(t, stdin, "-c", cfg)
	t.Cleanup(func() { w.Close() }) // runs before start's cleanup, which waits for the copy into stdin
	if _, err := io.WriteString(w, k8sLines(0, n)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the records of the outage", func() bool { return len(jsonLines(t, out)) >= n })
	api.failing.Store(false)
	time.Sleep(250 * time.Millisecond) // let the negative cache entry expire; not a synchronisation
	if _, err := io.WriteString(w, k8sLines(n, n)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the records after recovery", func() bool { return len(jsonLines(t, out)) >= 2*n })
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	records := jsonLines(t, out)
	checkSequence(t, records, "seq", 2*n)
	for _, r := range records {
		seq := int(r["seq"].(float64))
		if hasMeta := k8sMeta(r) != nil; hasMeta != (seq >= n) {
			t.Fatalf("record %d: metadata %v: %v", seq, hasMeta, r)
		}
	}
	if !strings.Contains(p.stderr.String(), "pod metadata not available") {
		t.Errorf("the outage was not logged:\n%s", p.stderr.String())
	}
}

// TestKubernetesFilterStalledAPI points the filter at an API that never
// answers: records pass after Kube_Meta_IO_Timeout without metadata, and
// SIGTERM still shuts down promptly and cleanly.
func TestKubernetesFilterStalledAPI(t *testing.T) {
	const n = 300
	api := k8sStartAPI(t, false)
	api.stalled.Store(true)
	cfg, out := k8sConfig(t, api, "", `    Merge_Log             On
    Kube_Meta_IO_Timeout  300ms`)
	stdin, w := io.Pipe()
	p := start(t, stdin, "-c", cfg)
	t.Cleanup(func() { w.Close() }) // runs before start's cleanup, which waits for the copy into stdin
	for i := 0; i < 3; i++ {        // several batches, spread out
		if _, err := io.WriteString(w, k8sLines(i*n/3, n/3)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	eventually(t, 10*time.Second, "all records", func() bool { return len(jsonLines(t, out)) >= n })
	// SIGTERM with stdin still open: the input stops on the signal, not
	// at end of file. The pipe is closed afterwards so that os/exec's copy
	// into the child's stdin ends.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	records := jsonLines(t, out)
	checkSequence(t, records, "seq", n)
	for _, r := range records {
		if k8sMeta(r) != nil {
			t.Fatalf("metadata from a stalled API: %v", r)
		}
	}
	if got := api.requests.Load(); got > 3 {
		t.Errorf("%d requests to a stalled API for one pod; want one per timeout", got)
	}
}
