package e2e

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/testing/emulators/bulk"
)

// TestOpenSearchPartialBulkFailures sends numbered records through the
// opensearch output to a bulk emulator that refuses every 97th document
// with a mapping error and throttles every 10th once: every other record
// is indexed exactly once, the refused ones are dropped (counted and
// logged with Trace_Error), nothing is indexed twice.
func TestOpenSearchPartialBulkFailures(t *testing.T) {
	const n = 2000
	es := bulk.Start()
	defer es.Close()
	var mu sync.Mutex
	throttled := map[int]bool{}
	es.Fault = func(doc map[string]any) int {
		seq := int(doc["seq"].(float64))
		mu.Lock()
		defer mu.Unlock()
		switch {
		case seq%97 == 5:
			return 400
		case seq%10 == 0 && !throttled[seq]:
			throttled[seq] = true
			return 429
		}
		return 0
	}
	port := es.Listener.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	mon := freePort(t)
	cfg := writeFile(t, dir, "os.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.01
    scheduler.cap   0.1
    HTTP_Server     On
    HTTP_Listen     127.0.0.1
    HTTP_Port       %d

[INPUT]
    Name  stdin
    Tag   kube.app

[OUTPUT]
    Name                opensearch
    Match               kube.*
    Host                127.0.0.1
    Port                %d
    Logstash_Format     On
    Logstash_Prefix     app
    Suppress_Type_Name  On
    Generate_ID         On
    Include_Tag_Key     On
    Trace_Error         On
    compress            gzip
`, mon, port))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	refused := 0
	for i := 0; i < n; i++ {
		if i%97 == 5 {
			refused++
		}
	}
	eventually(t, 30*time.Second, "every accepted document indexed", func() bool { return len(es.Docs()) >= n-refused })
	var m struct {
		Output map[string]struct {
			Dropped int `json:"dropped_records"`
		} `json:"output"`
	}
	eventually(t, 10*time.Second, "refused documents counted", func() bool {
		getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", mon), &m)
		return m.Output["opensearch.0"].Dropped == refused
	})
	// Counted by reason: the cluster refused them (per-document 400s).
	if v, ok := dropsPromSample(mon, `sluice_output_dropped_records_total{name="opensearch.0",reason="rejected"}`); !ok || int(v) != refused {
		t.Errorf("sluice_output_dropped_records_total{reason=\"rejected\"} = %v (present %v), want %d", v, ok, refused)
	}
	p.stop(syscall.SIGTERM, 15*time.Second)
	seen := map[int]int{}
	for _, d := range es.Docs() {
		seen[int(d.Source["seq"].(float64))]++
		if !strings.HasPrefix(d.Index, "app-") || d.Source["_flb-key"] != "kube.app" || d.Source["@timestamp"] == nil || d.Type != "" {
			t.Fatalf("document %+v", d)
		}
	}
	for i := 0; i < n; i++ {
		want := 1
		if i%97 == 5 {
			want = 0
		}
		if seen[i] != want {
			t.Errorf("record %d indexed %d times, want %d", i, seen[i], want)
		}
	}
	if !strings.Contains(p.stderr.String(), "mapper_parsing_exception") || !strings.Contains(p.stderr.String(), "document refused") {
		t.Errorf("refusals not logged:\n%s", p.stderr.String())
	}
}

// TestOpenSearchSigV4 is the Amazon OpenSearch Service set-up: AWS_Auth
// with the task's credentials (here the environment), gzip, and an
// emulator that recomputes every signature; numbered records arrive once.
func TestOpenSearchSigV4(t *testing.T) {
	const n = 500
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDE2E")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "e2e-secret")
	t.Setenv("AWS_SESSION_TOKEN", "e2e-token")
	t.Setenv("AWS_CONFIG_FILE", dir+"/no-config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/no-credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	es := bulk.Start()
	defer es.Close()
	es.Auth = &bulk.SigV4{AccessKeyID: "AKIDE2E", SecretAccessKey: "e2e-secret", Service: "es"}
	port := es.Listener.Addr().(*net.TCPAddr).Port
	cfg := writeFile(t, dir, "os.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  10

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name                opensearch
    Match               *
    Host                127.0.0.1
    Port                %d
    AWS_Auth            On
    AWS_Region          eu-west-1
    Index               app-logs
    Suppress_Type_Name  On
    compress            gzip
`, port))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	eventually(t, 20*time.Second, "documents indexed", func() bool { return len(es.Docs()) >= n })
	p.stop(syscall.SIGTERM, 15*time.Second)
	var recs []map[string]any
	for _, d := range es.Docs() {
		if d.Index != "app-logs" {
			t.Fatalf("index %q", d.Index)
		}
		recs = append(recs, d.Source)
	}
	checkSequence(t, recs, "seq", n)
	_, headers := es.Requests()
	if headers[0].Get("X-Amz-Security-Token") != "e2e-token" {
		t.Errorf("session token not sent: %v", headers[0])
	}
}
