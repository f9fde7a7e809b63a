package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/testing/emulators/hec"
)

// TestSplunkHEC sends numbered records through the splunk output to a HEC
// emulator that is busy for the first requests and refuses every 50th
// event as invalid: every other record is indexed exactly once with its
// metadata; the refused ones are dropped and logged with HEC's text.
func TestSplunkHEC(t *testing.T) {
	const n = 1000
	s := hec.Start("e2e-token")
	defer s.Close()
	s.Busy = func(req int) bool { return req <= 2 }
	s.Invalid = func(e *hec.Event) bool {
		var body struct{ Seq int }
		json.Unmarshal(e.Event, &body)
		return body.Seq%50 == 7
	}
	port := s.Listener.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	cfg := writeFile(t, dir, "splunk.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.01
    scheduler.cap   0.1

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name              splunk
    Match             *
    Host              127.0.0.1
    Port              %d
    splunk_token      e2e-token
    event_sourcetype  _json
    event_host        $level
    event_field       cluster e2e
    compress          gzip
`, port))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	refused := n / 50
	eventually(t, 30*time.Second, "events indexed", func() bool { return len(s.Events()) >= n-refused })
	eventually(t, 10*time.Second, "refusals logged", func() bool {
		return strings.Count(p.stderr.String(), "HEC refused event") >= 1
	})
	p.stop(syscall.SIGTERM, 15*time.Second)
	seen := map[int]int{}
	for _, e := range s.Events() {
		var body struct{ Seq int }
		if err := json.Unmarshal(e.Event, &body); err != nil {
			t.Fatal(err)
		}
		seen[body.Seq]++
		if e.Sourcetype != "_json" || e.Host != "info" || e.Fields["cluster"] != "e2e" || e.Time == 0 {
			t.Fatalf("event metadata %+v", e)
		}
	}
	for i := 0; i < n; i++ {
		want := 1
		if i%50 == 7 {
			want = 0
		}
		if seen[i] != want {
			t.Errorf("record %d indexed %d times, want %d", i, seen[i], want)
		}
	}
}
