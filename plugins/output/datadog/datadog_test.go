package datadog

import (
	"compress/gzip"
	"context"
	"encoding/json"
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

func TestEncode(t *testing.T) {
	o, err := New(plugintest.Settings(t, Spec(), "apikey", "k", "dd_service", "web", "dd_source", "nginx", "dd_tags", "env:prod",
		"dd_message_key", "log", "provider", "ecs", "include_tag_key", "on"))
	if err != nil {
		t.Fatal(err)
	}
	events, _ := plugintest.Events(t,
		`{"log":"GET /","ecs_cluster":"c1","ecs_task_arn":"arn:aws:ecs:us-east-1:1:task/c1/abc","ecs_task_definition":"web:7","container_name":"app"}`,
		`{"log":"x","service":"mine","ddtags":"a:b"}`)
	it := record.NewIterator(events)
	var got []string
	for it.Next() {
		b, err := o.encode(nil, "app.web", it.Event())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	want := []string{
		`{"timestamp":1704067200000,"ddsource":"nginx","service":"web","ddtags":"env:prod,container_name:app,cluster_name:c1,task_arn:arn:aws:ecs:us-east-1:1:task/c1/abc,task_family:web,task_version:7","tagkey":"app.web","message":"GET /","ecs_cluster":"c1","ecs_task_arn":"arn:aws:ecs:us-east-1:1:task/c1/abc","ecs_task_definition":"web:7","container_name":"app"}`,
		`{"timestamp":1704067201000,"ddsource":"nginx","tagkey":"app.web","message":"x","service":"mine","ddtags":"a:b"}`,
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// intake emulates Datadog's logs intake: it checks the API key, counts
// logs per request (refusing more than 1000 with 413 as Datadog does) and
// answers 202.
type intake struct {
	mu     sync.Mutex
	logs   []map[string]any
	sizes  []int
	status []int
}

func (in *intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("DD-API-KEY") != "k" {
		w.WriteHeader(403)
		io.WriteString(w, `{"errors":[{"status":"403","title":"Forbidden","detail":"Api key is invalid"}]}`)
		return
	}
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		rd, _ = gzip.NewReader(r.Body)
	}
	var logs []map[string]any
	if err := json.NewDecoder(rd).Decode(&logs); err != nil {
		w.WriteHeader(400)
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.status) > 0 {
		st := in.status[0]
		in.status = in.status[1:]
		w.WriteHeader(st)
		return
	}
	if len(logs) > 1000 {
		w.WriteHeader(413)
		return
	}
	in.sizes = append(in.sizes, len(logs))
	in.logs = append(in.logs, logs...)
	w.WriteHeader(202)
	io.WriteString(w, "{}")
}

func TestFlushSplitsAtThousand(t *testing.T) {
	in := &intake{}
	srv := httptest.NewServer(in)
	defer srv.Close()
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	o, err := New(plugintest.Settings(t, Spec(), "Host", "127.0.0.1", "Port", port, "apikey", "k", "compress", "gzip"))
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for i := 0; i < 2500; i++ {
		bodies = append(bodies, `{"n":`+strconv.Itoa(i)+`}`)
	}
	events, n := plugintest.Events(t, bodies...)
	c := &record.Chunk{Tag: "t", Data: events, Records: n}
	if err := o.Flush(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if len(in.logs) != 2500 || len(in.sizes) != 3 || in.sizes[0] != 1000 {
		t.Errorf("%d logs in requests of %v", len(in.logs), in.sizes)
	}
	in.status = []int{202, 429}
	err = o.Flush(context.Background(), c)
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || len(failed) != 1500 || failed[0] != 1000 {
		t.Errorf("class %s, %d failed from %v", class, len(failed), failed[:1])
	}
	bad, _ := New(plugintest.Settings(t, Spec(), "Host", "127.0.0.1", "Port", port, "apikey", "wrong"))
	err = bad.Flush(context.Background(), c)
	if class, _, _ := plugin.Classify(err); class != plugin.ClassRetryable || !strings.Contains(err.Error(), "Api key is invalid") {
		t.Errorf("bad key: %v", err)
	}
}
