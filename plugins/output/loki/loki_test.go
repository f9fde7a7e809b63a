package loki

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

type pushBody struct {
	Streams []struct {
		Stream map[string]string   `json:"stream"`
		Values [][]json.RawMessage `json:"values"`
	} `json:"streams"`
}

type lokiServer struct {
	mu     sync.Mutex
	pushes []pushBody
	hdr    []http.Header
	status int
}

func (l *lokiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var p pushBody
	if err := json.Unmarshal(b, &p); err != nil {
		http.Error(w, "loghttp.PushRequest: "+err.Error(), 400)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.status != 0 {
		http.Error(w, "entry with timestamp 1970-01-01 too old", l.status)
		return
	}
	l.pushes = append(l.pushes, p)
	l.hdr = append(l.hdr, r.Header.Clone())
	w.WriteHeader(204)
}

func start(t *testing.T, kv ...string) (*lokiServer, *Output) {
	l := &lokiServer{}
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	o, err := New(plugintest.Settings(t, Spec(), append([]string{"Host", "127.0.0.1", "Port", port}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return l, o
}

func chunk(t *testing.T, bodies ...string) *record.Chunk {
	events, n := plugintest.Events(t, bodies...)
	return &record.Chunk{Tag: "kube", Data: events, Records: n}
}

func TestStreamsAndLines(t *testing.T) {
	l, o := start(t, "labels", "job=sluice, ns=$kubernetes['namespace_name'], $kubernetes['container_name']",
		"label_keys", "$stream", "remove_keys", "kubernetes, stream", "tenant_id", "team-a",
		"structured_metadata", "pod=$kubernetes['pod_name']", "auto_kubernetes_labels", "on")
	err := o.Flush(context.Background(), chunk(t,
		`{"log":"a","stream":"stdout","kubernetes":{"namespace_name":"prod","container_name":"web","pod_name":"w-1","labels":{"app.kubernetes.io/name":"web"}}}`,
		`{"log":"b","stream":"stderr","kubernetes":{"namespace_name":"prod","container_name":"web","pod_name":"w-1"}}`,
		`{"log":"c","stream":"stdout","kubernetes":{"namespace_name":"prod","container_name":"web","pod_name":"w-2","labels":{"app.kubernetes.io/name":"web"}}}`,
		`{"log":"d"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.pushes) != 1 || l.hdr[0].Get("X-Scope-OrgID") != "team-a" {
		t.Fatalf("pushes %d headers %v", len(l.pushes), l.hdr)
	}
	var got []string
	for _, s := range l.pushes[0].Streams {
		var vals []string
		for _, v := range s.Values {
			vals = append(vals, fmt.Sprintf("%s %s %s", v[0], v[1], v[2:]))
		}
		got = append(got, fmt.Sprint(s.Stream, vals))
	}
	want := []string{
		`map[app_kubernetes_io_name:web container_name:web job:sluice ns:prod stream:stdout] ["1704067200000000000" "{\"log\":\"a\"}" [{"pod":"w-1"}] "1704067202000000000" "{\"log\":\"c\"}" [{"pod":"w-2"}]]`,
		`map[container_name:web job:sluice ns:prod stream:stderr] ["1704067201000000000" "{\"log\":\"b\"}" [{"pod":"w-1"}]]`,
		`map[job:sluice] ["1704067203000000000" "{\"log\":\"d\"}" [{}]]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("streams\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLineFormats(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		body string
		want string
	}{
		{[]string{"line_format", "key_value"}, `{"level":"info","n":3,"msg":"a b"}`, `level="info" n=3 msg="a b"`},
		{[]string{"drop_single_key", "on", "remove_keys", "k"}, `{"log":"raw line","k":1}`, `raw line`},
		{[]string{"drop_single_key", "on"}, `{"n":{"a":1}}`, `{"a":1}`},
		{nil, `{"a":[1,"x"]}`, `{"a":[1,"x"]}`},
	} {
		_, o := start(t, tc.kv...)
		events, _ := plugintest.Events(t, tc.body)
		it := record.NewIterator(events)
		it.Next()
		got, err := o.appendLine(nil, it.Event().Body)
		if err != nil || string(got) != tc.want {
			t.Errorf("%v: %s %v, want %s", tc.kv, got, err, tc.want)
		}
	}
}

func TestStatusAndConfig(t *testing.T) {
	l, o := start(t)
	l.status = 400
	err := o.Flush(context.Background(), chunk(t, `{"a":1}`))
	if class, _, _ := plugin.Classify(err); class != plugin.ClassPermanent || !strings.Contains(err.Error(), "too old") {
		t.Errorf("400: %v", err)
	}
	l.status = 429
	if class, _, _ := plugin.Classify(o.Flush(context.Background(), chunk(t, `{"a":1}`))); class != plugin.ClassThrottled {
		t.Errorf("429: %s", class)
	}
	for _, kv := range [][]string{{"labels", "job"}, {"label_map_path", "m.json"}, {"labels", "a=$x["}} {
		s, err := plugintest.TrySettings(Spec(), kv...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil {
			t.Errorf("%v accepted", kv)
		}
	}
}

func TestLabelName(t *testing.T) {
	for in, want := range map[string]string{"app.kubernetes.io/name": "app_kubernetes_io_name", "9x": "_x", "ok_1": "ok_1"} {
		if got := labelName(in); got != want {
			t.Errorf("%s: %s", in, got)
		}
	}
}

func TestTenantIDKey(t *testing.T) {
	l, o := start(t, "tenant_id", "default", "tenant_id_key", "$team")
	if err := o.Flush(context.Background(), chunk(t, `{"team":"a","n":1}`, `{"n":2}`, `{"team":"a","n":3}`, `{"team":"b","n":4}`)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, p := range l.pushes {
		n := 0
		for _, s := range p.Streams {
			n += len(s.Values)
		}
		got = append(got, fmt.Sprintf("%s:%d", l.hdr[i].Get("X-Scope-OrgID"), n))
	}
	if fmt.Sprint(got) != "[a:2 default:1 b:1]" {
		t.Errorf("pushes %v", got)
	}
	// A failed push retries that tenant's records and the unsent ones.
	l.status = 503
	err := o.Flush(context.Background(), chunk(t, `{"team":"a","n":1}`, `{"team":"b","n":2}`))
	if class, _, failed := plugin.Classify(err); class == plugin.ClassPartial || len(failed) != 0 {
		t.Errorf("all-failed flush: class %s failed %v", class, failed)
	}
}
