package http

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// server records the requests it receives and answers with the statuses
// of script in turn (200 once the script is used up).
type server struct {
	mu     sync.Mutex
	reqs   []*nethttp.Request
	bodies []string
	script []int
	header nethttp.Header // added to every response
	port   int
}

func newServer(t *testing.T, script ...int) *server {
	s := &server{script: script, header: nethttp.Header{}}
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		var rd io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				nethttp.Error(w, "bad gzip", 400)
				return
			}
			rd = zr
		}
		b, _ := io.ReadAll(rd)
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.bodies = append(s.bodies, string(b))
		status := 200
		if len(s.script) > 0 {
			status, s.script = s.script[0], s.script[1:]
		}
		s.mu.Unlock()
		for k, v := range s.header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		io.WriteString(w, `{"error":"scripted"}`)
	}))
	t.Cleanup(srv.Close)
	s.port = srv.Listener.Addr().(*net.TCPAddr).Port
	return s
}

func (s *server) output(t *testing.T, kv ...string) *Output {
	t.Helper()
	kv = append([]string{"Host", "127.0.0.1", "Port", strconv.Itoa(s.port)}, kv...)
	o, err := New(plugintest.Settings(t, Spec(), kv...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return o
}

func chunk(t *testing.T, bodies ...string) *record.Chunk {
	events, n := plugintest.Events(t, bodies...)
	return &record.Chunk{Tag: "app.web", Data: events, Records: n}
}

func TestFormats(t *testing.T) {
	recs := []string{`{"log":"one","n":1}`, `{"log":"two","n":2}`}
	for _, tc := range []struct {
		kv     []string
		bodies []string
		ctype  string
	}{
		{[]string{"Format", "json"}, []string{`[{"date":1704067200.000000,"log":"one","n":1},{"date":1704067201.000000,"log":"two","n":2}]`}, "application/json"},
		{[]string{"Format", "json_lines", "json_date_format", "iso8601"}, []string{"{\"date\":\"2024-01-01T00:00:00.000000Z\",\"log\":\"one\",\"n\":1}\n{\"date\":\"2024-01-01T00:00:01.000000Z\",\"log\":\"two\",\"n\":2}\n"}, "application/x-ndjson"},
		{[]string{"Format", "json_stream", "json_date_key", "false"}, []string{`{"log":"one","n":1}{"log":"two","n":2}`}, "application/x-ndjson"},
		{[]string{"Format", "json", "json_date_key", "ts", "json_date_format", "epoch_ms"}, []string{`[{"ts":1704067200000,"log":"one","n":1},{"ts":1704067201000,"log":"two","n":2}]`}, "application/json"},
		{[]string{"Format", "gelf", "gelf_short_message_key", "log"}, []string{
			`{"version":"1.1","short_message":"one","_n":1,"timestamp":1704067200.000000}`,
			`{"version":"1.1","short_message":"two","_n":2,"timestamp":1704067201.000000}`}, "application/json"},
	} {
		t.Run(strings.Join(tc.kv, "_"), func(t *testing.T) {
			s := newServer(t)
			o := s.output(t, tc.kv...)
			if err := o.Flush(context.Background(), chunk(t, recs...)); err != nil {
				t.Fatal(err)
			}
			if strings.Join(s.bodies, "|") != strings.Join(tc.bodies, "|") {
				t.Errorf("bodies\n got %q\nwant %q", s.bodies, tc.bodies)
			}
			if ct := s.reqs[0].Header.Get("Content-Type"); ct != tc.ctype {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestMsgpackIsTheChunk(t *testing.T) {
	s := newServer(t)
	o := s.output(t)
	c := chunk(t, `{"a":1}`)
	if err := o.Flush(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if s.bodies[0] != string(c.Data) || s.reqs[0].Header.Get("Content-Type") != "application/msgpack" {
		t.Errorf("body %q type %q", s.bodies[0], s.reqs[0].Header.Get("Content-Type"))
	}
}

func TestRequestShape(t *testing.T) {
	s := newServer(t)
	o := s.output(t, "URI", "/v1/logs?source=sluice", "Format", "json_lines", "compress", "gzip",
		"Header", "X-Api-Key secret value", "Header", "X-Team ops", "header_tag", "X-Tag",
		"http_User", "alice", "http_Passwd", "pw", "http_Method", "PUT")
	if err := o.Flush(context.Background(), chunk(t, `{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	r := s.reqs[0]
	if r.Method != "PUT" || r.URL.RequestURI() != "/v1/logs?source=sluice" {
		t.Errorf("%s %s", r.Method, r.URL.RequestURI())
	}
	if r.Header.Get("X-Api-Key") != "secret value" || r.Header.Get("X-Team") != "ops" || r.Header.Get("X-Tag") != "app.web" {
		t.Errorf("headers %v", r.Header)
	}
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Error("not gzipped")
	}
	if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "pw" {
		t.Errorf("basic auth %q %q", u, p)
	}
	if !strings.Contains(s.bodies[0], `"a":1`) {
		t.Errorf("body %q", s.bodies[0])
	}
}

func TestStatusClasses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter string
		class      plugin.ErrorClass
		wait       time.Duration
	}{
		{"429 storm throttles", 429, "", plugin.ClassThrottled, 0},
		{"429 Retry-After", 429, "3", plugin.ClassThrottled, 3 * time.Second},
		{"503 Retry-After", 503, "2", plugin.ClassThrottled, 2 * time.Second},
		{"503", 503, "", plugin.ClassRetryable, 0},
		{"500", 500, "", plugin.ClassRetryable, 0},
		{"400 is permanent", 400, "", plugin.ClassPermanent, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.status)
			if tc.retryAfter != "" {
				s.header.Set("Retry-After", tc.retryAfter)
			}
			o := s.output(t, "Format", "json")
			err := o.Flush(context.Background(), chunk(t, `{"a":1}`))
			class, wait, _ := plugin.Classify(err)
			if class != tc.class || wait != tc.wait {
				t.Fatalf("class %s wait %s (%v)", class, wait, err)
			}
			if !strings.Contains(err.Error(), "output http.0: POST http://127.0.0.1:") || !strings.Contains(err.Error(), "scripted") {
				t.Errorf("error %q", err)
			}
			// The next flush succeeds: nothing is stuck.
			if err := o.Flush(context.Background(), chunk(t, `{"a":1}`)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestGELFPerRecordPartial(t *testing.T) {
	s := newServer(t, 200, 503, 200)
	o := s.output(t, "Format", "gelf", "gelf_short_message_key", "log")
	err := o.Flush(context.Background(), chunk(t, `{"log":"a"}`, `{"nolog":1}`, `{"log":"b"}`, `{"log":"c"}`))
	class, _, failed := plugin.Classify(err)
	// Record 1 has no short_message and is rejected; record 2 got 503: it
	// and the unsent record 3 are retried.
	if class != plugin.ClassPartial || len(failed) != 2 || failed[0] != 2 || failed[1] != 3 {
		t.Fatalf("class %s failed %v (%v)", class, failed, err)
	}
	if rej := plugin.Rejected(err); len(rej) != 1 || rej[0] != 1 {
		t.Errorf("rejected %v", rej)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{"URI", "logs"}, "must start with /"},
		{[]string{"http_Passwd", "x"}, "set http_User too"},
		{[]string{"AWS_Auth", "on"}, "AWS_Service"},
		{[]string{"Format", "xml"}, "valid values are"},
		{[]string{"Proxy", "::"}, "not a URL"},
	} {
		s, err := plugintest.TrySettings(Spec(), tc.kv...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.kv, err, tc.want)
		}
	}
}
