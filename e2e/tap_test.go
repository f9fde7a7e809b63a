package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTapStreamsAComponentsRecords taps an input and an output of a
// running Sluice through the monitoring server with `sluice tap`.
func TestTapStreamsAComponentsRecords(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush        0.2
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d

[INPUT]
    Name   dummy
    Tag    app.tap
    Dummy  {"msg": "tapped", "n": 1}
    Rate   50

[FILTER]
    Name    redact
    Match   *

[OUTPUT]
    Name   null
    Alias  sink
    Match  *
`, port))
	p := start(t, nil, "-c", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	eventually(t, 10*time.Second, "the monitoring server", func() bool {
		_, _, code := run(t, "health", url+"/api/v1/health")
		return code == 0
	})
	for _, component := range []string{"dummy.0", "redact.0", "sink"} {
		stdout, stderr, code := run(t, "tap", "--url", url, "-n", "5", component)
		if code != 0 {
			t.Fatalf("sluice tap %s: exit %d: %s", component, code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 5 {
			t.Fatalf("tap %s printed %d lines:\n%s", component, len(lines), stdout)
		}
		for _, line := range lines {
			var ev struct {
				Component, Kind, Tag, Time string
				Record                     map[string]any
			}
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("tap line %q: %v", line, err)
			}
			if ev.Component != component || ev.Tag != "app.tap" || ev.Record["msg"] != "tapped" || ev.Time == "" {
				t.Errorf("tap %s line %+v", component, ev)
			}
		}
	}
	_, stderr, code := run(t, "tap", "--url", url, "nope.0")
	if code != 2 || !strings.Contains(stderr, `no component is named "nope.0"`) || !strings.Contains(stderr, "dummy.0") {
		t.Errorf("unknown component: exit %d, %s", code, stderr)
	}
	p.stop(syscall.SIGTERM, 10*time.Second)
}
