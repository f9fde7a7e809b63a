package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKinesisMissingStreamKeepsRecordsUntilCreated starts sluice before its
// stream exists, as Fluent Bit users do when the stream's stack deploys
// after the task: the records stay buffered and are retried, the log says
// which stream is missing, where, and what to fix, and once the stream is
// created every record arrives exactly once.
func TestKinesisMissingStreamKeepsRecordsUntilCreated(t *testing.T) {
	awsoutEnv(t)
	endpoint := ksStartKinesalite(t)
	c := ksClient(endpoint)
	const n = 500
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(ksPipeline, endpoint, ""))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	want := "Kinesis stream \\\"logs\\\" does not exist in us-east-1; create it or fix `stream` in [OUTPUT] kinesis_streams.0; records stay buffered"
	eventually(t, 15*time.Second, "the missing stream reported", func() bool {
		return strings.Contains(p.stderr.String(), want)
	})
	if strings.Contains(p.stderr.String(), "dropp") {
		t.Fatalf("records were dropped while the stream was missing:\n%s", p.stderr.String())
	}
	ksCreateStream(t, c, "logs", 1)
	var seqs []map[string]any
	eventually(t, 30*time.Second, "every record in the stream once it exists", func() bool {
		users, _, _ := ksReadAll(t, c, "logs")
		seqs = ksSeqs(t, users)
		return len(seqs) >= n
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	checkSequence(t, seqs, "seq", n)
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(line, "does not exist") {
			t.Logf("logged: %s", line)
			break
		}
	}
}
