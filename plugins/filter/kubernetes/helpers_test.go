package kubernetes

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/conf"
	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// Tags of the pods in testdata, as the tail input makes them from
// /var/log/containers file names.
const (
	apiID      = "4a1f5c2e9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f"
	nginxID    = "2222222222222222222222222222222222222222222222222222222222222222"
	sidecarID  = "3333333333333333333333333333333333333333333333333333333333333333"
	apiTag     = "kube.var.log.containers.api-7d9f8b6c5d-x2x4z_payments_api-" + apiID + ".log"
	nginxTag   = "kube.var.log.containers.web-0_frontend_nginx-" + nginxID + ".log"
	sidecarTag = "kube.var.log.containers.web-0_frontend_sidecar-" + sidecarID + ".log"
)

// fakeAPI serves the recorded responses of testdata like an API server and
// a kubelet do, and can fail, stall and demand a token.
type fakeAPI struct {
	t   testing.TB
	srv *httptest.Server

	requests atomic.Int64  // requests for pods and namespaces
	status   atomic.Int64  // when non-zero, every answer has this status
	token    atomic.Value  // string; when non-empty, the bearer token required
	stall    chan struct{} // when non-nil, answers wait until it is closed

	mu    sync.Mutex
	seen  []string // Authorization headers received
	paths []string
}

func newFakeAPI(t testing.TB, useTLS bool) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t}
	f.token.Store("")
	h := http.HandlerFunc(f.serve)
	if useTLS {
		f.srv = httptest.NewTLSServer(h)
	} else {
		f.srv = httptest.NewServer(h)
	}
	t.Cleanup(f.close)
	return f
}

func (f *fakeAPI) close() {
	f.mu.Lock()
	if f.stall != nil {
		select {
		case <-f.stall:
		default:
			close(f.stall)
		}
	}
	f.mu.Unlock()
	f.srv.Close()
}

// stallUntil makes answers wait until the returned function is called.
func (f *fakeAPI) stallAnswers() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.stall = ch
	f.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	f.seen = append(f.seen, r.Header.Get("Authorization"))
	f.paths = append(f.paths, r.URL.Path)
	stall := f.stall
	f.mu.Unlock()
	if stall != nil {
		select {
		case <-stall:
		case <-r.Context().Done():
			return
		}
	}
	if want := f.token.Load().(string); want != "" && r.Header.Get("Authorization") != "Bearer "+want {
		http.Error(w, `{"kind":"Status","status":"Failure","message":"Unauthorized","code":401}`, http.StatusUnauthorized)
		return
	}
	if st := f.status.Load(); st != 0 {
		http.Error(w, `{"kind":"Status","status":"Failure","code":`+strings.TrimSpace(http.StatusText(int(st)))+`}`, int(st))
		return
	}
	files := map[string]string{
		"/api/v1/namespaces/payments/pods/api-7d9f8b6c5d-x2x4z": "pod_payments_api.json",
		"/api/v1/namespaces/frontend/pods/web-0":                "pod_frontend_api.json",
		"/api/v1/namespaces/payments":                           "namespace_payments.json",
		"/pods":                                                 "kubelet_pods.json",
	}
	name, ok := files[r.URL.Path]
	if !ok {
		http.Error(w, `{"kind":"Status","status":"Failure","reason":"NotFound","code":404}`, http.StatusNotFound)
		return
	}
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.t.Error(err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

// caFile writes the TLS server's certificate as a PEM CA file.
func (f *fakeAPI) caFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.crt")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// newFilter builds a filter from key/value parameters, pointed at api (when
// not nil) with no token file unless one is given. It is closed when the
// test ends.
func newFilter(t testing.TB, api *fakeAPI, kv ...string) (*Filter, error) {
	t.Helper()
	sect := &config.Section{Kind: config.KindFilter, Pos: config.Position{File: "test.conf", Line: 1}}
	add := func(k, v string) { sect.Params = append(sect.Params, config.Param{Key: k, Value: v}) }
	add("Name", "kubernetes")
	add("Match", "kube.*")
	if api != nil {
		add("Kube_URL", api.srv.URL)
	}
	add("Kube_Token_File", filepath.Join(t.TempDir(), "no-token"))
	for i := 0; i+1 < len(kv); i += 2 {
		add(kv[i], kv[i+1])
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[FILTER] kubernetes")
	if err != nil {
		return nil, err
	}
	f, err := New(plugin.Settings{ID: "kubernetes.0", Config: cfg, Parsers: testParsers(t)})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := f.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return f, nil
}

func mustFilter(t testing.TB, api *fakeAPI, kv ...string) *Filter {
	t.Helper()
	f, err := newFilter(t, api, kv...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// testParsers is the shipped parsers.conf plus ns-first, a tag regex for
// tags written <namespace>.<pod>.<container>.
func testParsers(t testing.TB) *parser.Registry {
	t.Helper()
	extra := `
[PARSER]
    Name    ns-first
    Format  regex
    Regex   ^(?<namespace_name>[^.]+)\.(?<pod_name>[^.]+)\.(?<container_name>[^.]+)$
`
	m, _, err := config.ParseClassic("parsers.conf", append(append([]byte{}, conf.Parsers...), extra...))
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := parser.NewRegistry(m.Parsers)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// events encodes JSON bodies as a batch.
func events(t testing.TB, bodies ...string) []byte {
	t.Helper()
	var b record.Builder
	for _, js := range bodies {
		b.BeginEvent(record.Time(1700000000123456789), nil)
		if err := b.AppendJSONValue([]byte(js)); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
	}
	return b.Bytes()
}

// run filters bodies under tag and returns the bodies that come out, as
// JSON, with the filter's result.
func run(t testing.TB, f *Filter, tag string, bodies ...string) ([]string, plugin.FilterResult) {
	t.Helper()
	in := events(t, bodies...)
	var out record.Builder
	res, err := f.Filter(tag, in, &out)
	if err != nil {
		t.Fatal(err)
	}
	data := out.Bytes()
	if res == plugin.FilterUnchanged {
		data = in
	}
	var got []string
	it := record.NewIterator(data)
	for it.Next() {
		ev := it.Event()
		if ev.Time != record.Time(1700000000123456789) {
			t.Errorf("time changed to %d", ev.Time)
		}
		js, _, err := record.AppendJSON(nil, ev.Body)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(js))
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if res == plugin.FilterModified && out.Records() != len(got) {
		t.Errorf("builder counts %d records, holds %d", out.Records(), len(got))
	}
	return got, res
}

// eventually polls cond every 10 ms for up to 5 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
