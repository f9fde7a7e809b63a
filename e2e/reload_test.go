package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"
)

const reloadConfigA = `
[SERVICE]
    Flush        3600
    Grace        10
    Hot_Reload   On
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %[2]d

[INPUT]
    Name     dummy
    Tag      before
    Dummy    {"phase": "before"}
    Samples  300
    Rate     1000

[OUTPUT]
    Name    file
    Match   before
    Path    %[1]s
    File    before.log
    Format  plain
    Mkdir   On
`

const reloadConfigB = `
[SERVICE]
    Flush        0.2
    Grace        10
    Hot_Reload   On
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %[2]d

[INPUT]
    Name   dummy
    Tag    after
    Dummy  {"phase": "after"}
    Rate   50

[OUTPUT]
    Name    file
    Match   after
    Path    %[1]s
    File    after.log
    Format  plain
    Mkdir   On
`

// reloadPost asks for a reload over HTTP and returns the status and body.
func reloadPost(t *testing.T, base string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(base+"/api/v2/reload", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("reload answer %q: %v", body, err)
	}
	return resp.StatusCode, m
}

// TestHotReloadKeepsBufferedRecordsAndSurvivesABrokenConfig holds 300
// records in the buffer (Flush 3600), reloads to a new configuration over
// HTTP, and checks every held record was delivered by the old pipeline and
// the new one runs; then a broken configuration sent by SIGHUP and by HTTP
// is refused while the running pipeline keeps delivering.
func TestHotReloadKeepsBufferedRecordsAndSurvivesABrokenConfig(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(reloadConfigA, out, port))
	p := start(t, nil, "-c", cfg)

	eventually(t, 10*time.Second, "300 records buffered", func() bool {
		var m struct {
			Input map[string]struct{ Records int } `json:"input"`
		}
		resp, err := http.Get(base + "/api/v1/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&m)
		return m.Input["dummy.0"].Records == 300
	})
	if n := len(jsonLines(t, filepath.Join(out, "before.log"))); n != 0 {
		t.Fatalf("%d records delivered before the reload; the test needs them buffered", n)
	}

	writeFile(t, dir, "sluice.conf", fmt.Sprintf(reloadConfigB, out, port))
	if code, body := reloadPost(t, base); code != 200 || body["reload"] != "done" {
		t.Fatalf("reload answered %d %v\nstderr:\n%s", code, body, p.stderr.String())
	}
	if n := len(jsonLines(t, filepath.Join(out, "before.log"))); n != 300 {
		t.Errorf("before.log has %d records after the reload, want all 300 that were buffered", n)
	}
	eventually(t, 10*time.Second, "the new pipeline delivering", func() bool {
		return len(jsonLines(t, filepath.Join(out, "after.log"))) > 0
	})
	var count map[string]int
	getJSON(t, base+"/api/v2/reload", &count)
	if count["hot_reload_count"] != 1 {
		t.Errorf("hot_reload_count %v, want 1", count)
	}

	// A broken configuration: refused, the running pipeline kept.
	writeFile(t, dir, "sluice.conf", strings.Replace(fmt.Sprintf(reloadConfigB, out, port), "Name   dummy", "Name   dumy", 1))
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the refused SIGHUP reload logged", func() bool {
		return strings.Contains(p.stderr.String(), "reload failed; the running pipeline keeps running")
	})
	code, body := reloadPost(t, base)
	if code != 400 || body["reload"] != "failed" || !strings.Contains(fmt.Sprint(body["error"]), `did you mean "dummy"`) {
		t.Errorf("broken reload answered %d %v", code, body)
	}
	before := len(jsonLines(t, filepath.Join(out, "after.log")))
	eventually(t, 10*time.Second, "the kept pipeline still delivering", func() bool {
		return len(jsonLines(t, filepath.Join(out, "after.log"))) > before
	})
	getJSON(t, base+"/api/v2/reload", &count)
	if count["hot_reload_count"] != 1 {
		t.Errorf("hot_reload_count %v after refused reloads, want 1", count)
	}
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// TestSIGHUPWithoutHotReloadIsIgnored checks that SIGHUP neither kills
// Sluice (Go's default) nor reloads it when Hot_Reload is off.
func TestSIGHUPWithoutHotReloadIsIgnored(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2

[INPUT]
    Name  dummy
    Rate  50

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    out.log
    Format  plain
    Mkdir   On
`, out))
	p := start(t, nil, "-c", cfg)
	eventually(t, 10*time.Second, "records", func() bool { return len(jsonLines(t, filepath.Join(out, "out.log"))) > 0 })
	p.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 10*time.Second, "the ignored reload logged", func() bool {
		return strings.Contains(p.stderr.String(), "reload asked for but not enabled")
	})
	if _, err := os.Stat(filepath.Join(out, "out.log")); err != nil {
		t.Fatal(err)
	}
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// TestHotReloadUnderLoadLosesNothing reloads twice while a
// fluent-logger-golang client with acks sends numbered records as fast as
// it can; the client re-sends what was not acknowledged (as the Docker and
// awsfirelens drivers do). Every record arrives; duplicates are reported.
func TestHotReloadUnderLoadLosesNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	port, fwd := freePort(t), freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	conf := func(flush string) string {
		return fmt.Sprintf(`
[SERVICE]
    Flush        %s
    Grace        10
    Hot_Reload   On
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d

[INPUT]
    Name    forward
    Listen  127.0.0.1
    Port    %d

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    out.log
    Format  plain
    Mkdir   On
`, flush, port, fwd, out)
	}
	cfg := writeFile(t, dir, "sluice.conf", conf("0.2"))
	p := start(t, nil, "-c", cfg)
	fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", fwd))

	const n = 40000
	sent := make(chan int, 1)
	go func() {
		resends := 0
		for i := 0; i < n; {
			logger, err := fluent.New(fluent.Config{FluentHost: "127.0.0.1", FluentPort: fwd, RequestAck: true,
				Timeout: 2 * time.Second, MaxRetry: 0, WriteTimeout: 2 * time.Second})
			if err != nil {
				time.Sleep(50 * time.Millisecond) // the listener is being replaced
				continue
			}
			for ; i < n; i++ {
				if err := logger.Post("app", map[string]any{"seq": i}); err != nil {
					resends++ // not acknowledged: send it again on a new connection
					break
				}
			}
			logger.Close()
		}
		sent <- resends
	}()
	for i, flush := range []string{"0.3", "0.2"} {
		eventually(t, 20*time.Second, "records flowing", func() bool {
			return len(jsonLines(t, filepath.Join(out, "out.log"))) > 2000*(i+1)
		})
		writeFile(t, dir, "sluice.conf", conf(flush))
		if code, body := reloadPost(t, base); code != 200 {
			t.Fatalf("reload answered %d %v", code, body)
		}
	}
	resends := <-sent
	eventually(t, 30*time.Second, "every record", func() bool {
		seen := map[int]bool{}
		for _, r := range jsonLines(t, filepath.Join(out, "out.log")) {
			seen[int(r["seq"].(float64))] = true
		}
		return len(seen) == n
	})
	recs := jsonLines(t, filepath.Join(out, "out.log"))
	t.Logf("%d records sent, %d delivered (%d duplicates) across 2 reloads; %d re-sent after Post failed (the library also re-sends un-acked messages itself)",
		n, len(recs), len(recs)-n, resends)
	var count map[string]int
	getJSON(t, base+"/api/v2/reload", &count)
	if count["hot_reload_count"] != 2 {
		t.Errorf("hot_reload_count %v", count)
	}
	p.stop(syscall.SIGTERM, 15*time.Second)
}
