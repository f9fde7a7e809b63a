package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/iam"
	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

// iamTemplatePolicies resolves the seed template's task-role policies, with
// old replaced by new in the template first.
func iamTemplatePolicies(t *testing.T, old, new string) []*iam.Document {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(iamSeedDir, "task-role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rp, err := iam.ResolveTemplate("task-role.yaml", []byte(strings.ReplaceAll(string(src), old, new)),
		iam.TemplateOptions{Region: "ap-northeast-1", Account: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	return rp.Policies
}

// iamStoredSeqs returns the seq fields of the events stored in a stream.
func iamStoredSeqs(t *testing.T, emu *cwlemu.Running, group, stream string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, e := range emu.Events(group, stream) {
		var r map[string]any
		if err := json.Unmarshal([]byte(e.Message), &r); err != nil {
			t.Fatalf("event %q is not a JSON record: %v", e.Message, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// TestIAMSeedStoryReplay replays the seed story against the CloudWatch Logs
// emulator enforcing the task role's policy from the seed's template: logs
// flow; the policy is narrowed to another log group and the router reports
// AccessDeniedException with the action, resource, section and the
// statement that would fix it, holding the records; the policy is fixed
// and the backlog arrives, every numbered record exactly once.
func TestIAMSeedStoryReplay(t *testing.T) {
	const group, stream = "/ecs/logs/sample-test", "webapp"
	emu, err := cwlemu.Start("127.0.0.1:0", cwlemu.Options{Region: "ap-northeast-1", Account: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	good := iamTemplatePolicies(t, "", "")
	narrowed := iamTemplatePolicies(t, "log-group:/ecs/logs/sample-test:*", "log-group:/ecs/logs/sample-typo:*")
	emu.SetPolicy(good)

	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	conf := writeFile(t, dir, "extra.conf", fmt.Sprintf(`[SERVICE]
    Flush          0.2
    Grace          5
    scheduler.base 0.2
    scheduler.cap  0.5

[INPUT]
    Name stdin
    Tag  app

[OUTPUT]
    Name   cloudwatch_logs
    Match  *
    region ap-northeast-1
    endpoint %s
    log_group_name %s
    log_stream_name %s
    auto_create_group true
`, emu.URL, group, stream))

	in, feed := io.Pipe()
	p := start(t, in, "-c", conf)
	send := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := fmt.Fprintf(feed, `{"seq":%d,"msg":"request %d"}`+"\n", i, i); err != nil {
				t.Fatal(err)
			}
		}
	}

	send(0, 100)
	eventually(t, 15*time.Second, "the first 100 records in CloudWatch Logs", func() bool {
		return len(emu.Events(group, stream)) == 100
	})

	// The task role's policy is changed to name another log group.
	emu.SetPolicy(narrowed)
	send(100, 200)
	eventually(t, 15*time.Second, "an AccessDenied report on the router's output", func() bool {
		return strings.Contains(p.stderr.String(), "AccessDeniedException")
	})
	log := p.stderr.String()
	if testing.Verbose() {
		t.Logf("the router's log while denied:\n%s", log)
	}
	for _, want := range []string{
		"logs:PutLogEvents",
		"arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:log-stream:webapp",
		"cloudwatch_logs.0",
		`the statement to add: {\"Sid\":\"CloudwatchLogs0\",\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\"`,
		"stay buffered",
	} {
		if !strings.Contains(log, want) && !strings.Contains(log, strings.ReplaceAll(want, `\"`, `"`)) {
			t.Errorf("the AccessDenied report lacks %q:\n%s", want, log)
		}
	}
	if n := len(emu.Events(group, stream)); n != 100 {
		t.Fatalf("%d events stored while access was denied, want 100", n)
	}

	// The policy is fixed: the buffered records arrive.
	emu.SetPolicy(good)
	send(200, 250)
	eventually(t, 20*time.Second, "all 250 records after the policy is fixed", func() bool {
		return len(emu.Events(group, stream)) >= 250
	})
	feed.Close()
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.stderr.String())
	}
	checkSequence(t, iamStoredSeqs(t, emu, group, stream), "seq", 250)
}
