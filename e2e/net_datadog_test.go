package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDatadogOutput sends numbered FireLens-shaped records through the
// datadog output (provider ecs) to a local intake that throttles at
// first: every record arrives once, with the API key, its message, service
// and the ECS tags.
func TestDatadogOutput(t *testing.T) {
	const n = 1500
	sink := netStartSink(t, 429, 503)
	dir := t.TempDir()
	var in strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, `{"seq":%d,"log":"request %d","ecs_cluster":"prod","ecs_task_definition":"web:3","container_name":"app"}`+"\n", i, i)
	}
	cfg := writeFile(t, dir, "dd.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.01
    scheduler.cap   0.1

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name            datadog
    Match           *
    Host            127.0.0.1
    Port            %d
    apikey          e2e-key
    compress        gzip
    dd_service      web
    dd_source       go
    dd_message_key  log
    dd_tags         env:e2e
    provider        ecs
`, sink.port))
	p := start(t, strings.NewReader(in.String()), "-c", cfg)
	eventually(t, 30*time.Second, "logs delivered", func() bool { recs, _ := sink.snapshot(); return len(recs) >= n })
	p.stop(syscall.SIGTERM, 15*time.Second)
	recs, _ := sink.snapshot()
	checkSequence(t, recs, "seq", n)
	r := recs[0]
	if r["message"] == nil || r["service"] != "web" || r["ddsource"] != "go" ||
		r["ddtags"] != "env:e2e,container_name:app,cluster_name:prod,task_family:web,task_version:3" {
		t.Errorf("log %v", r)
	}
	if _, ok := r["timestamp"].(float64); !ok {
		t.Errorf("timestamp %v", r["timestamp"])
	}
	for _, h := range sink.headers {
		if h.Get("DD-API-KEY") != "e2e-key" {
			t.Fatalf("headers %v", h)
		}
	}
}
