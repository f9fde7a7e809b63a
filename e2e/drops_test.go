package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
	"github.com/sluice-logs/sluice/testing/emulators/firehose"
)

// dropsPromSample reads one series, e.g.
// `sluice_output_dropped_records_total{name="x",reason="oversize"}`, from
// the monitoring server's Prometheus exposition; ok is false when the
// server does not answer (not started yet, or being killed) or has no such
// series.
func dropsPromSample(port int, series string) (float64, bool) {
	resp, err := storHTTP.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics/prometheus", port))
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil || resp.StatusCode != 200 {
		return 0, false
	}
	for _, line := range strings.Split(body.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// dropsService is a [SERVICE] section with the monitoring server on port.
func dropsService(port int) string {
	return fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    Log_Level       info
    scheduler.base  0.05
    scheduler.cap   0.2
    HTTP_Server     On
    HTTP_Listen     127.0.0.1
    HTTP_Port       %d

[INPUT]
    Name         stdin
    Tag          app
    Buffer_Size  4M
`, port)
}

// dropsLine is a numbered record whose JSON line, with the newline the AWS
// outputs add, is size bytes.
func dropsLine(seq, size int) string {
	prefix := fmt.Sprintf(`{"seq":%d,"pad":"`, seq)
	return prefix + strings.Repeat("x", size-len(prefix)-3) + `"}` + "\n"
}

// dropsCheckOversize waits for the oversize record to be counted in the
// output's metrics, with reason oversize and in the Fluent Bit total, and
// for the others to be counted delivered.
func dropsCheckOversize(t *testing.T, p *process, mon int, output string, delivered int) {
	t.Helper()
	series := fmt.Sprintf(`sluice_output_dropped_records_total{name="%s",reason="oversize"}`, output)
	eventually(t, 20*time.Second, "the oversize record counted as "+series, func() bool {
		v, ok := dropsPromSample(mon, series)
		return ok && v == 1
	})
	if v, _ := dropsPromSample(mon, fmt.Sprintf(`fluentbit_output_dropped_records_total{name="%s"}`, output)); v != 1 {
		t.Errorf("fluentbit_output_dropped_records_total = %v, want 1", v)
	}
	eventually(t, 10*time.Second, "the other records counted delivered", func() bool {
		v, _ := dropsPromSample(mon, fmt.Sprintf(`fluentbit_output_proc_records_total{name="%s"}`, output))
		return int(v) == delivered
	})
	var detail struct {
		Dropped int `json:"dropped_records_total"`
	}
	getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1/health/detail", mon), &detail)
	if detail.Dropped != 1 {
		t.Errorf("health detail: %d dropped records, want 1", detail.Dropped)
	}
	for _, want := range []string{`reason=oversize`, "1 records larger than", "bytes); shorten them"} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("the drop log lacks %q:\n%s", want, p.stderr.String())
		}
	}
}

// TestDropsKinesisOversizeRecordCounted sends a record over Kinesis's
// 1 MiB limit between small ones to kinesalite: it is not sent, and the
// engine counts it (sluice_output_dropped_records_total{reason="oversize"})
// and logs it, while the others arrive.
func TestDropsKinesisOversizeRecordCounted(t *testing.T) {
	awsoutEnv(t)
	endpoint := ksStartKinesalite(t)
	c := ksClient(endpoint)
	ksCreateStream(t, c, "logs", 1)
	mon := freePort(t)
	cfg := writeFile(t, t.TempDir(), "sluice.conf", dropsService(mon)+fmt.Sprintf(`
[OUTPUT]
    Name                 kinesis_streams
    Match                *
    region               us-east-1
    stream               logs
    endpoint             %s
    auto_retry_requests  off
`, endpoint))
	input := dropsLine(0, 100) + dropsLine(1, 200) + dropsLine(2, 1<<20+10) + dropsLine(3, 100)
	p := start(t, strings.NewReader(input), "-c", cfg)
	dropsCheckOversize(t, p, mon, "kinesis_streams.0", 3)
	users, _, _ := ksReadAll(t, c, "logs")
	var seqs []float64
	for _, r := range ksSeqs(t, users) {
		seqs = append(seqs, r["seq"].(float64))
	}
	if fmt.Sprint(seqs) != "[0 1 3]" {
		t.Errorf("delivered seqs %v, want [0 1 3]", seqs)
	}
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
}

// TestDropsFirehoseOversizeRecordCounted is the same for Firehose's
// 1,000 KiB record limit, against the strict Firehose emulator.
func TestDropsFirehoseOversizeRecordCounted(t *testing.T) {
	awsoutEnv(t)
	fh, url := fhStart(t, firehose.Injection{})
	mon := freePort(t)
	cfg := writeFile(t, t.TempDir(), "sluice.conf", dropsService(mon)+fmt.Sprintf(`
[OUTPUT]
    Name                 kinesis_firehose
    Match                *
    region               us-east-1
    delivery_stream      logs
    endpoint             %s
    auto_retry_requests  off
`, url))
	input := dropsLine(0, 100) + dropsLine(1, 200) + dropsLine(2, firehose.MaxRecordBytes+1) + dropsLine(3, 100)
	p := start(t, strings.NewReader(input), "-c", cfg)
	dropsCheckOversize(t, p, mon, "kinesis_firehose.0", 3)
	var seqs []float64
	for _, r := range awsoutDecodeLines(t, fh.Records("logs")) {
		seqs = append(seqs, r["seq"].(float64))
	}
	if fmt.Sprint(seqs) != "[0 1 3]" {
		t.Errorf("delivered seqs %v, want [0 1 3]", seqs)
	}
	if st := fh.Stats(); st.Rejected != 0 {
		t.Errorf("the emulator rejected calls: %+v", st)
	}
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
}

// TestDropsCloudWatchAccessDeniedCounted runs cloudwatch_logs against the
// emulator enforcing the seed template's task-role policy narrowed to
// another log group: every attempt is an AccessDenied, counted in
// sluice_output_access_denied_total and shown in the health detail with
// the action and resource; nothing is dropped, and once the policy is
// fixed every record arrives.
func TestDropsCloudWatchAccessDeniedCounted(t *testing.T) {
	const n, group, stream = 200, "/ecs/logs/sample-test", "webapp"
	emu, err := cwlemu.Start("127.0.0.1:0", cwlemu.Options{Region: "ap-northeast-1", Account: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	good := iamTemplatePolicies(t, "", "")
	emu.SetPolicy(iamTemplatePolicies(t, "log-group:/ecs/logs/sample-test:*", "log-group:/ecs/logs/sample-typo:*"))
	awsoutEnv(t)
	mon := freePort(t)
	cfg := writeFile(t, t.TempDir(), "sluice.conf", dropsService(mon)+fmt.Sprintf(`
[OUTPUT]
    Name               cloudwatch_logs
    Match              *
    region             ap-northeast-1
    endpoint           %s
    log_group_name     %s
    log_stream_name    %s
    auto_create_group  true
`, emu.URL, group, stream))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	const series = `sluice_output_access_denied_total{name="cloudwatch_logs.0"}`
	eventually(t, 20*time.Second, series+" counting", func() bool {
		v, ok := dropsPromSample(mon, series)
		return ok && v >= 2
	})
	var detail struct {
		AccessDenied []struct {
			Output string `json:"output"`
			Count  int    `json:"count"`
			Last   string `json:"last_error"`
		} `json:"access_denied"`
		Dropped int `json:"dropped_records_total"`
	}
	getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1/health/detail", mon), &detail)
	if len(detail.AccessDenied) != 1 || detail.AccessDenied[0].Output != "cloudwatch_logs.0" || detail.AccessDenied[0].Count < 2 ||
		!strings.Contains(detail.AccessDenied[0].Last, "logs:PutLogEvents") ||
		!strings.Contains(detail.AccessDenied[0].Last, "log-group:/ecs/logs/sample-test:log-stream:webapp") {
		t.Fatalf("health detail %+v", detail)
	}
	if detail.Dropped != 0 {
		t.Fatalf("%d records dropped while access was denied; they must wait", detail.Dropped)
	}
	// The probe command names the denial too.
	_, stderr, _ := run(t, "health", fmt.Sprintf("http://127.0.0.1:%d/api/v1/health", mon))
	if !strings.Contains(stderr, "access denied: output cloudwatch_logs.0") || !strings.Contains(stderr, "logs:PutLogEvents") {
		t.Errorf("sluice health does not name the denial:\n%s", stderr)
	}
	emu.SetPolicy(good)
	eventually(t, 20*time.Second, "every record after the policy is fixed", func() bool {
		return len(emu.Events(group, stream)) >= n
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.stderr.String())
	}
	checkSequence(t, iamStoredSeqs(t, emu, group, stream), "seq", n)
}

// TestDropsValidateConfigurationTraps drives `sluice validate` and `sluice
// run` on configurations that Fluent Bit accepts but that would hang or
// silently not do what they say: two buffered multiline filters on the same
// tags are an error naming both sections; Streams_File, storage.type memrb
// and Emitter_Storage.type filesystem are warnings naming the key, at
// validate and at run.
func TestDropsValidateConfigurationTraps(t *testing.T) {
	dir := t.TempDir()
	twoML := writeFile(t, dir, "two-multiline.conf", `[INPUT]
    Name  stdin
    Tag   app.web

[FILTER]
    Name              multiline
    Match             app.*
    multiline.parser  java

[FILTER]
    Name              multiline
    Match             app.web
    multiline.parser  python

[OUTPUT]
    Name   stdout
    Match  *
`)
	_, stderr, code := run(t, "validate", "-c", twoML)
	for _, want := range []string{"two-multiline.conf:10:1: [FILTER] multiline (multiline.1) holds records",
		"as [FILTER] multiline (multiline.0) (at " + filepath.Join(dir, "two-multiline.conf") + ":5:1)", "the pipeline would hang", "buffer off"} {
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("validate of two buffered multiline filters: exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	p := start(t, strings.NewReader(""), "-c", twoML)
	if code := p.wait(15 * time.Second); code == 0 || !strings.Contains(p.stderr.String(), "the pipeline would hang") {
		t.Errorf("run: exit %d, stderr:\n%s", code, p.stderr.String())
	}

	// The same filters on different tags are fine.
	apart := writeFile(t, dir, "apart.conf", strings.Replace(readText(t, twoML), "Match             app.web", "Match             audit", 1))
	if _, stderr, code := run(t, "validate", "-c", apart); code != 0 {
		t.Errorf("multiline filters on different tags: exit %d: %s", code, stderr)
	}

	ignored := writeFile(t, dir, "ignored.conf", `[SERVICE]
    Flush         0.2
    Streams_File  streams.conf

[INPUT]
    Name          stdin
    Tag           app
    storage.type  memrb

[FILTER]
    Name                  rewrite_tag
    Match                 app
    Rule                  $level ^error$ alerts true
    Emitter_Storage.type  filesystem

[OUTPUT]
    Name   stdout
    Match  *
`)
	wants := []string{
		"ignored.conf:3:5: [SERVICE] Streams_File streams.conf: Sluice has no stream processor, so the [STREAM_TASK]s of that file are not run",
		"ignored.conf:5:1: [INPUT] stdin (stdin.0): storage.type memrb is run as memory",
		"ignored.conf:10:1: [FILTER] rewrite_tag (rewrite_tag.0): Emitter_Storage.type filesystem is not supported",
	}
	_, stderr, code = run(t, "validate", "-c", ignored)
	for _, want := range wants {
		if code != 0 || !strings.Contains(stderr, "warning: "+filepath.Join(dir, want)) {
			t.Errorf("validate: exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	p = start(t, strings.NewReader(`{"level":"info"}`+"\n"), "-c", ignored)
	eventually(t, 10*time.Second, "the warnings in run's log", func() bool {
		for _, want := range wants {
			if !strings.Contains(p.stderr.String(), want) {
				return false
			}
		}
		return true
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("run: exit %d:\n%s", code, p.stderr.String())
	}
}

// readText returns a file's content.
func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
