package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// netSink is a local HTTP destination for the HTTP outputs' e2e tests: it
// answers with the statuses of its script in turn (then 200), and keeps
// the JSON-lines records of the requests it accepted (2xx) only.
type netSink struct {
	mu       sync.Mutex
	script   []int
	answer   func(r *http.Request, body []byte) (int, string) // overrides script when set
	records  []map[string]any
	requests int
	headers  []http.Header
	port     int
}

func netStartSink(t *testing.T, script ...int) *netSink {
	t.Helper()
	s := &netSink{script: script}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rd io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, "bad gzip", 400)
				return
			}
			rd = zr
		}
		body, _ := io.ReadAll(rd)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests++
		s.headers = append(s.headers, r.Header.Clone())
		status, reply := 200, `{"ok":true}`
		if s.answer != nil {
			status, reply = s.answer(r, body)
		} else if len(s.script) > 0 {
			status, s.script = s.script[0], s.script[1:]
			if status == 429 || status == 503 {
				w.Header().Set("Retry-After", "0")
			}
		}
		if status/100 == 2 {
			s.records = append(s.records, netJSONLines(t, body)...)
		}
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	s.port = srv.Listener.Addr().(*net.TCPAddr).Port
	return s
}

func (s *netSink) snapshot() ([]map[string]any, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.records...), s.requests
}

// netJSONLines decodes a body of JSON lines (or one JSON array).
func netJSONLines(t *testing.T, body []byte) []map[string]any {
	var out []map[string]any
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Errorf("body is not a JSON array: %v", err)
		}
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Errorf("line %q: %v", sc.Text(), err)
			continue
		}
		out = append(out, m)
	}
	return out
}

// TestHTTPOutputThroughThrottlingStorm sends numbered records through the
// http output to a server that first answers 429 and 503 storms: every
// record arrives exactly once, gzipped, with basic auth and the headers.
func TestHTTPOutputThroughThrottlingStorm(t *testing.T) {
	const n = 2000
	sink := netStartSink(t, 429, 429, 429, 503, 503, 500, 429)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "http.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.01
    scheduler.cap   0.2

[INPUT]
    Name  stdin
    Tag   app.web

[OUTPUT]
    Name         http
    Match        app.*
    Host         127.0.0.1
    Port         %d
    URI          /ingest
    Format       json_lines
    compress     gzip
    http_User    sluice
    http_Passwd  s3cret
    Header       X-Api-Key k1
    header_tag   X-Tag
`, sink.port))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	eventually(t, 30*time.Second, "every record delivered", func() bool {
		recs, _ := sink.snapshot()
		return len(recs) >= n
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	recs, reqs := sink.snapshot()
	checkSequence(t, recs, "seq", n)
	if reqs < 8 {
		t.Errorf("%d requests: the storm was not exercised", reqs)
	}
	h := sink.headers[len(sink.headers)-1]
	if h.Get("Authorization") == "" || h.Get("X-Api-Key") != "k1" || h.Get("X-Tag") != "app.web" || h.Get("Content-Encoding") != "gzip" {
		t.Errorf("headers %v", h)
	}
	if _, ok := recs[0]["date"].(float64); !ok {
		t.Errorf("record without a double date: %v", recs[0])
	}
}

// TestHTTPOutputPermanent400 checks that a chunk the server refuses with
// 400 is dropped at once, counted and logged with the server's answer,
// and not sent again.
func TestHTTPOutputPermanent400(t *testing.T) {
	sink := netStartSink(t)
	sink.answer = func(r *http.Request, body []byte) (int, string) {
		return 400, `{"error":"schema mismatch: field seq"}`
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "http.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           5
    scheduler.base  0.01

[INPUT]
    Name     dummy
    Tag      app
    Dummy    {"seq":1}
    Samples  1

[OUTPUT]
    Name    http
    Match   *
    Host    127.0.0.1
    Port    %d
    Format  json
`, sink.port))
	p := start(t, nil, "-c", cfg)
	eventually(t, 10*time.Second, "the drop logged", func() bool {
		return strings.Contains(p.stderr.String(), "schema mismatch")
	})
	p.stop(syscall.SIGTERM, 10*time.Second)
	_, reqs := sink.snapshot()
	if reqs != 1 {
		t.Errorf("%d requests for a permanently refused chunk, want 1", reqs)
	}
	for _, want := range []string{"dropping records", "HTTP 400", "reason=rejected", fmt.Sprintf("POST http://127.0.0.1:%d/", sink.port)} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, p.stderr.String())
		}
	}
}
