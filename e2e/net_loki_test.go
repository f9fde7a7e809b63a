package e2e

import (
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

// lokiEntry is one pushed line with its stream's labels.
type lokiEntry struct {
	labels map[string]string
	ts     string
	line   string
}

// TestLokiOutput pushes numbered records through the loki output to a
// local push API that rate-limits the first push: every record arrives
// once, in the stream of its labels, with remove_keys applied.
func TestLokiOutput(t *testing.T) {
	const n = 1000
	var mu sync.Mutex
	var entries []lokiEntry
	pushes := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Streams []struct {
				Stream map[string]string `json:"stream"`
				Values [][2]string       `json:"values"`
			} `json:"streams"`
		}
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/loki/api/v1/push" || r.Header.Get("X-Scope-OrgID") != "e2e" {
			http.Error(w, "bad path or tenant", 404)
			return
		}
		if err := json.Unmarshal(b, &body); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		pushes++
		if pushes == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "Ingestion rate limit exceeded", 429)
			return
		}
		for _, s := range body.Streams {
			for _, v := range s.Values {
				entries = append(entries, lokiEntry{s.Stream, v[0], v[1]})
			}
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	var in strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, `{"seq":%d,"stream":"%s","msg":"line %d"}`+"\n", i, []string{"stdout", "stderr"}[i%2], i)
	}
	cfg := writeFile(t, dir, "loki.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.01

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name         loki
    Match        *
    Host         127.0.0.1
    Port         %d
    tenant_id    e2e
    labels       job=e2e
    label_keys   $stream
    remove_keys  stream
`, port))
	p := start(t, strings.NewReader(in.String()), "-c", cfg)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(entries) }
	eventually(t, 30*time.Second, "entries pushed", func() bool { return count() >= n })
	p.stop(syscall.SIGTERM, 15*time.Second)
	mu.Lock()
	defer mu.Unlock()
	var recs []map[string]any
	for _, e := range entries {
		var m map[string]any
		if err := json.Unmarshal([]byte(e.line), &m); err != nil {
			t.Fatalf("line %q: %v", e.line, err)
		}
		if _, leaked := m["stream"]; leaked || e.labels["job"] != "e2e" {
			t.Fatalf("entry %+v", e)
		}
		seq := int(m["seq"].(float64))
		if want := []string{"stdout", "stderr"}[seq%2]; e.labels["stream"] != want {
			t.Fatalf("record %d in stream %v", seq, e.labels)
		}
		recs = append(recs, m)
	}
	checkSequence(t, recs, "seq", n)
}
