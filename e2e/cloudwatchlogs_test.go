package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

// cwlAccessKey is the static access key the e2e runs sign with; the
// emulator accepts no other.
const cwlAccessKey = "AKIDSLUICEE2E"

// cwlStartEmulator serves a CloudWatch Logs emulator on a loopback port
// for the test, and gives the sluice processes the test starts static
// credentials and an AWS environment isolated from the host's (no shared
// config files, no instance metadata). AWS_CA_BUNDLE is left as the host
// sets it: Sluice must work with it.
func cwlStartEmulator(t *testing.T) *cwlemu.Running {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", cwlAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "e2e-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	emu, err := cwlemu.Start("127.0.0.1:0", cwlemu.Options{AccessKeyID: cwlAccessKey, SecretAccessKey: "e2e-secret", Region: "ap-northeast-1", Seed: time.Now().UnixNano()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

// cwlSeedOutput is the seed story's extra.conf [OUTPUT] (a FireLens task
// sending everything to /ecs/logs/sample-test, stream webapp), pointed at
// the emulator.
const cwlSeedOutput = `
[OUTPUT]
    Name   cloudwatch_logs
    Match  *
    region ap-northeast-1
    log_group_name /ecs/logs/sample-test
    log_stream_name webapp
    auto_create_group true
    endpoint %s
`

// cwlConfig writes a config: a fast-retrying [SERVICE], a stdin input
// tagged app (reading lines up to 1 MiB), and the given outputs.
func cwlConfig(t *testing.T, outputs string) string {
	t.Helper()
	return writeFile(t, t.TempDir(), "sluice.conf", `
[SERVICE]
    Flush           0.2
    Grace           10
    Log_Level       info
    scheduler.base  0.2
    scheduler.cap   1

[INPUT]
    Name         stdin
    Tag          app
    Buffer_Size  1M
`+outputs)
}

// cwlRecords decodes the JSON messages of a stream.
func cwlRecords(t *testing.T, emu *cwlemu.Running, group, stream string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ev := range emu.Events(group, stream) {
		var m map[string]any
		if err := json.Unmarshal([]byte(ev.Message), &m); err != nil {
			t.Fatalf("%s/%s: message %.100q is not a JSON object: %v", group, stream, ev.Message, err)
		}
		out = append(out, m)
	}
	return out
}

// cwlWaitFor waits until a stream holds n events.
func cwlWaitFor(t *testing.T, p *process, emu *cwlemu.Running, group, stream string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := len(emu.Events(group, stream))
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s holds %d of %d events after %s; emulator stats %+v; sluice stderr:\n%s",
				group, stream, got, n, timeout, emu.Stats(), p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cwlNoRejections fails when the emulator rejected a call as invalid:
// the output must never send a batch CloudWatch Logs refuses.
func cwlNoRejections(t *testing.T, emu *cwlemu.Running) {
	t.Helper()
	st := emu.Stats()
	for _, code := range []string{"InvalidParameterException", "SerializationException", "IncompleteSignatureException", "UnrecognizedClientException", "InvalidSignatureException"} {
		if st.Errors[code] > 0 {
			t.Errorf("the emulator answered %d calls with %s", st.Errors[code], code)
		}
	}
}

func cwlStop(t *testing.T, p *process) {
	t.Helper()
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM; stderr:\n%s", code, p.stderr.String())
	}
}

// cwlSeedExtraConf is the seed story's extra.conf, verbatim.
const cwlSeedExtraConf = `[SERVICE]
    Flush 1
    Grace 30
    Log_Level info

[OUTPUT]
    Name   cloudwatch_logs
    Match  *
    region ap-northeast-1
    log_group_name /ecs/logs/sample-test
    log_stream_name webapp
    auto_create_group true
`

// TestCloudWatchLogsSeedStory runs the seed's extra.conf the way FireLens
// does, @INCLUDEd by a main config that declares the input (stdin here,
// standing in for FireLens's forward input), with only endpoint added to
// point at the emulator: numbered records arrive in /ecs/logs/sample-test,
// stream webapp, created on the way, in order, none lost or duplicated.
func TestCloudWatchLogsSeedStory(t *testing.T) {
	const n = 20000
	emu := cwlStartEmulator(t)
	dir := t.TempDir()
	writeFile(t, dir, "extra.conf", cwlSeedExtraConf+"    endpoint "+emu.URL+"\n")
	main := writeFile(t, dir, "fluent-bit.conf", `[INPUT]
    Name  stdin
    Tag   webapp-firelens-5f6e

@INCLUDE extra.conf
`)
	p := start(t, strings.NewReader(numberedLines(n)), "-c", main)
	cwlWaitFor(t, p, emu, "/ecs/logs/sample-test", "webapp", n, 30*time.Second)
	cwlStop(t, p)
	recs := cwlRecords(t, emu, "/ecs/logs/sample-test", "webapp")
	checkSequence(t, recs, "seq", n)
	for i, r := range recs {
		if int(r["seq"].(float64)) != i {
			t.Fatalf("event %d holds seq %v: out of order", i, r["seq"])
		}
	}
	if recs[0]["msg"] != "line 0 of the e2e run" {
		t.Errorf("first record %v", recs[0])
	}
	if got := emu.Groups(); len(got) != 1 || got[0] != "/ecs/logs/sample-test" {
		t.Errorf("groups %v", got)
	}
	cwlNoRejections(t, emu)
}

// TestCloudWatchLogsTemplatesPerNamespace routes Kubernetes records to a
// log group per namespace and a stream per pod, with the static names for
// records that lack the fields.
func TestCloudWatchLogsTemplatesPerNamespace(t *testing.T) {
	emu := cwlStartEmulator(t)
	namespaces := []string{"shop", "blog", "billing"}
	var in strings.Builder
	const n = 3000
	for i := 0; i < n; i++ {
		if i%100 == 99 {
			fmt.Fprintf(&in, `{"seq":%d,"log":"no kubernetes metadata"}`+"\n", i)
			continue
		}
		ns := namespaces[i%3]
		fmt.Fprintf(&in, `{"seq":%d,"log":"line","kubernetes":{"namespace_name":%q,"pod_name":"%s-%d"}}`+"\n", i, ns, ns, i%2)
	}
	p := start(t, strings.NewReader(in.String()), "-c", cwlConfig(t, fmt.Sprintf(`
[OUTPUT]
    Name                 cloudwatch_logs
    Match                *
    region               ap-northeast-1
    log_group_name       /eks/unknown
    log_group_template   /eks/$kubernetes['namespace_name']
    log_stream_prefix    from-
    log_stream_template  $kubernetes['pod_name']
    auto_create_group    on
    log_retention_days   7
    Workers              2
    endpoint             %s
`, emu.URL)))
	eventually(t, 30*time.Second, "every record in CloudWatch", func() bool { return emu.Stats().Events >= n })
	cwlStop(t, p)
	var all []map[string]any
	for _, ns := range namespaces {
		for pod := 0; pod < 2; pod++ {
			recs := cwlRecords(t, emu, "/eks/"+ns, fmt.Sprintf("%s-%d", ns, pod))
			for _, r := range recs {
				if r["kubernetes"].(map[string]any)["namespace_name"] != ns {
					t.Fatalf("record of another namespace in /eks/%s: %v", ns, r)
				}
			}
			all = append(all, recs...)
		}
		if days, _ := emu.Retention("/eks/" + ns); days != 7 {
			t.Errorf("/eks/%s retention %d, want 7", ns, days)
		}
	}
	fallback := cwlRecords(t, emu, "/eks/unknown", "from-app")
	if len(fallback) != n/100 {
		t.Errorf("%d records in the fallback group/stream, want %d", len(fallback), n/100)
	}
	checkSequence(t, append(all, fallback...), "seq", n)
	if !strings.Contains(p.stderr.String(), "log_group_template") {
		t.Error("the template fallback was not logged")
	}
	cwlNoRejections(t, emu)
}

// TestCloudWatchLogsOutage takes the emulator down while records arrive —
// answering 503 to every call, closing connections unanswered, or not
// listening at all — then brings it back: every record is delivered
// exactly once. The outage lasts until a few retries failed; set
// SLUICE_CWL_OUTAGE (e.g. 3m) to hold it that much longer.
func TestCloudWatchLogsOutage(t *testing.T) {
	retries := func(p *process) int { return strings.Count(p.stderr.String(), "will retry") }
	var longer time.Duration
	if v := os.Getenv("SLUICE_CWL_OUTAGE"); v != "" {
		var err error
		if longer, err = time.ParseDuration(v); err != nil {
			t.Fatalf("SLUICE_CWL_OUTAGE: %v", err)
		}
	}
	for _, tt := range []struct {
		name   string
		down   func(*cwlemu.Running)
		up     func(*testing.T, *cwlemu.Running)
		failed func(*cwlemu.Running, *process) int
	}{
		{"503",
			func(e *cwlemu.Running) { e.SetFaults(cwlemu.Faults{Unavailable: true}) },
			func(_ *testing.T, e *cwlemu.Running) { e.SetFaults(cwlemu.Faults{}) },
			func(e *cwlemu.Running, _ *process) int { return e.Stats().Errors["ServiceUnavailableException"] }},
		{"connections dropped",
			func(e *cwlemu.Running) { e.SetFaults(cwlemu.Faults{DropConnections: true}) },
			func(_ *testing.T, e *cwlemu.Running) { e.SetFaults(cwlemu.Faults{}) },
			func(e *cwlemu.Running, p *process) int { return retries(p) }},
		{"connection refused",
			func(e *cwlemu.Running) { e.Down() },
			func(t *testing.T, e *cwlemu.Running) {
				if err := e.Up(); err != nil {
					t.Fatal(err)
				}
			},
			func(_ *cwlemu.Running, p *process) int { return retries(p) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const n = 5000
			emu := cwlStartEmulator(t)
			tt.down(emu)
			// The output logs at debug so that every retry shows: at info, a
			// repeated cause is reported once a minute.
			p := start(t, strings.NewReader(numberedLines(n)), "-c", cwlConfig(t, fmt.Sprintf(cwlSeedOutput, emu.URL)+"    Log_Level debug\n"))
			// Stay down until several retries have failed.
			eventually(t, 20*time.Second, "failed flushes during the outage", func() bool { return tt.failed(emu, p) >= 6 })
			if longer > 0 {
				time.Sleep(longer) // the outage itself, not a synchronisation
			}
			if got := emu.Stats().Events; got != 0 {
				t.Fatalf("%d events stored during the outage", got)
			}
			tt.up(t, emu)
			cwlWaitFor(t, p, emu, "/ecs/logs/sample-test", "webapp", n, 30*time.Second)
			cwlStop(t, p)
			checkSequence(t, cwlRecords(t, emu, "/ecs/logs/sample-test", "webapp"), "seq", n)
			cwlNoRejections(t, emu)
		})
	}
}

// TestCloudWatchLogsThrottlingStorm throttles most calls: the engine backs
// off and retries until every record is in, exactly once.
func TestCloudWatchLogsThrottlingStorm(t *testing.T) {
	const n = 10000
	emu := cwlStartEmulator(t)
	emu.SetFaults(cwlemu.Faults{ThrottleRate: 0.7})
	var in strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, `{"seq":%d,"stream":"s%d"}`+"\n", i, i%4)
	}
	p := start(t, strings.NewReader(in.String()), "-c", cwlConfig(t, fmt.Sprintf(`
[OUTPUT]
    Name                 cloudwatch_logs
    Match                *
    region               ap-northeast-1
    log_group_name       storm
    log_stream_prefix    p-
    log_stream_template  $stream
    auto_create_group    on
    auto_retry_requests  false
    Workers              2
    endpoint             %s
`, emu.URL)))
	eventually(t, 60*time.Second, "every record in CloudWatch", func() bool { return emu.Stats().Events >= n })
	cwlStop(t, p)
	var all []map[string]any
	for s := 0; s < 4; s++ {
		all = append(all, cwlRecords(t, emu, "storm", fmt.Sprintf("s%d", s))...)
	}
	checkSequence(t, all, "seq", n)
	if st := emu.Stats(); st.Errors["ThrottlingException"] < 5 {
		t.Errorf("only %d throttled calls: the storm did not happen", st.Errors["ThrottlingException"])
	}
	cwlNoRejections(t, emu)
}

// TestCloudWatchLogsBatchLimits sends what needs every kind of split — more
// events than one call takes, more bytes than one call takes, events
// larger than CloudWatch accepts — and checks that the strict emulator
// never rejected a call and that everything arrived (the oversized events
// truncated to the limit, with a warning).
func TestCloudWatchLogsBatchLimits(t *testing.T) {
	emu := cwlStartEmulator(t)
	var in strings.Builder
	const small, large, huge = 30000, 300, 3
	seq := 0
	for ; seq < small; seq++ {
		fmt.Fprintf(&in, `{"seq":%d}`+"\n", seq)
	}
	pad := strings.Repeat("p", 10_000)
	for ; seq < small+large; seq++ {
		fmt.Fprintf(&in, `{"seq":%d,"pad":%q}`+"\n", seq, pad)
	}
	hugePad := strings.Repeat("h", 300_000)
	for ; seq < small+large+huge; seq++ {
		fmt.Fprintf(&in, `{"seq":%d,"pad":%q}`+"\n", seq, hugePad)
	}
	n := seq
	p := start(t, strings.NewReader(in.String()), "-c", cwlConfig(t, fmt.Sprintf(cwlSeedOutput, emu.URL)))
	cwlWaitFor(t, p, emu, "/ecs/logs/sample-test", "webapp", n, 30*time.Second)
	cwlStop(t, p)
	cwlNoRejections(t, emu)
	events := emu.Events("/ecs/logs/sample-test", "webapp")
	var recs []map[string]any
	truncated := 0
	for _, ev := range events {
		if len(ev.Message) > 262144-26 {
			t.Fatalf("event of %d bytes stored", len(ev.Message))
		}
		if len(ev.Message) == 262144-26 {
			truncated++
			continue // cut JSON: not decodable, counted apart
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(ev.Message), &m); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, m)
	}
	if truncated != huge {
		t.Errorf("%d truncated events, want %d", truncated, huge)
	}
	checkSequence(t, recs, "seq", small+large)
	if st := emu.Stats(); st.Calls["PutLogEvents"] < 4 {
		t.Errorf("%d PutLogEvents calls for %d events", st.Calls["PutLogEvents"], n)
	}
	if !strings.Contains(p.stderr.String(), "truncated") {
		t.Error("no truncation warning")
	}
}

// TestCloudWatchLogsAccessDenied denies the log group: the operator sees
// which action on which resource the IAM policy must allow, in which
// section, the records stay buffered, and they all arrive once access is
// granted.
func TestCloudWatchLogsAccessDenied(t *testing.T) {
	const n = 2000
	emu := cwlStartEmulator(t)
	emu.SetFaults(cwlemu.Faults{DenyGroups: []string{"/ecs/logs/sample-test"}})
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cwlConfig(t, fmt.Sprintf(cwlSeedOutput, emu.URL)))
	want := []string{
		"cloudwatch_logs.0",
		"logs:PutLogEvents",
		"arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:log-stream:webapp",
		"stay buffered",
	}
	eventually(t, 20*time.Second, "the access-denied message", func() bool {
		s := p.stderr.String()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
	if strings.Contains(p.stderr.String(), "dropping records") {
		t.Fatalf("records dropped while access was denied:\n%s", p.stderr.String())
	}
	emu.SetFaults(cwlemu.Faults{})
	cwlWaitFor(t, p, emu, "/ecs/logs/sample-test", "webapp", n, 30*time.Second)
	cwlStop(t, p)
	checkSequence(t, cwlRecords(t, emu, "/ecs/logs/sample-test", "webapp"), "seq", n)
}

// TestCloudWatchLogsValidate checks `sluice validate` on cloudwatch_logs
// sections: the seed's extra.conf (included by a FireLens-style main file,
// stdin standing in for the forward input) and the example are valid
// without any network access, and mistakes are reported at file:line with
// a hint.
func TestCloudWatchLogsValidate(t *testing.T) {
	dir := t.TempDir()
	seed := writeFile(t, dir, "fluent-bit.conf", `[INPUT]
    Name  stdin
    Tag   webapp-firelens-1234

@INCLUDE extra.conf
`)
	writeFile(t, dir, "extra.conf", cwlSeedExtraConf)
	for _, path := range []string{seed, "../examples/cloudwatch_logs.conf"} {
		if _, stderr, code := run(t, "validate", "-c", path); code != 0 {
			t.Errorf("%s: exit %d: %s", path, code, stderr)
		}
	}
	bad := writeFile(t, dir, "bad.conf", `[INPUT]
    Name  dummy

[OUTPUT]
    Name                cloudwatch_logs
    Match               *
    region              us-east-1
    log_group_name      g
    log_stream_nam      s
    log_retention_days  2
    log_group_template  $kubernetes['ns'
`)
	_, stderr, code := run(t, "validate", "-c", bad)
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, stderr)
	}
	for _, want := range []string{
		`bad.conf:9:`, `did you mean "log_stream_name"?`,
		`bad.conf:10:`, `log_retention_days: invalid value "2"; valid values are 0 (never expire) and 1, 3, 5`,
		`bad.conf:11:`, `log_group_template`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// cwlSizedLine returns a JSON line {"seq":i,"pad":"ppp"} whose text (and
// so the message the output sends) is exactly size bytes.
func cwlSizedLine(i, size int) string {
	head := fmt.Sprintf(`{"seq":%d,"pad":"`, i)
	return head + strings.Repeat("p", size-len(head)-2) + `"}` + "\n"
}

// TestCloudWatchLogsBatchEdges puts each PutLogEvents limit at its edge in
// one chunk — Flush is an hour, so the chunk is sealed only by the
// shutdown, holding exactly the records given — and checks the calls the
// output made: 10,000 events fit one call and 10,001 need two; four
// events of the largest message (262,118 bytes, 256 KiB with the 26-byte
// overhead) are exactly 1 MiB and fit one call, a fifth needs another; a
// message one byte larger is truncated to the limit.
func TestCloudWatchLogsBatchEdges(t *testing.T) {
	const largest = 262144 - 26
	lines := func(n, size int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(cwlSizedLine(i, size))
		}
		return b.String()
	}
	tests := []struct {
		name    string
		input   string
		records int
		batches []int
		lengths []int  // message lengths to expect, when checked
		warning string // expected in sluice's log
	}{
		{"10,000 events", lines(10000, 40), 10000, []int{10000}, nil, ""},
		{"10,001 events", lines(10001, 40), 10001, []int{10000, 1}, nil, ""},
		{"exactly 1 MiB", lines(4, largest), 4, []int{4}, []int{largest, largest, largest, largest}, ""},
		{"1 MiB and one more event", lines(4, largest) + cwlSizedLine(4, 40), 5, []int{4, 1}, nil, ""},
		{"event one byte over 256 KiB", cwlSizedLine(0, largest+1), 1, []int{1}, []int{largest}, "truncated 1 records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := cwlStartEmulator(t)
			cfg := writeFile(t, t.TempDir(), "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush      3600
    Grace      20
    Log_Level  info

[INPUT]
    Name         stdin
    Tag          app
    Buffer_Size  1M
`+cwlSeedOutput, emu.URL))
			p := startEOF(t, strings.NewReader(tt.input), "-c", cfg)
			eventually(t, 10*time.Second, "the end of standard input", func() bool {
				return strings.Contains(p.stderr.String(), "end of standard input")
			})
			cwlStop(t, p)
			cwlNoRejections(t, emu)
			var got []int
			for _, b := range emu.Stats().Batches {
				got = append(got, b.Events)
				if b.Bytes > 1048576 || b.Events > 10000 {
					t.Errorf("a call of %d events and %d bytes was accepted", b.Events, b.Bytes)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.batches) {
				t.Fatalf("PutLogEvents calls of %v events, want %v", got, tt.batches)
			}
			events := emu.Events("/ecs/logs/sample-test", "webapp")
			if len(events) != tt.records {
				t.Fatalf("%d events stored, want %d", len(events), tt.records)
			}
			for i, want := range tt.lengths {
				if len(events[i].Message) != want {
					t.Errorf("event %d: message of %d bytes, want %d", i, len(events[i].Message), want)
				}
			}
			if tt.warning != "" && !strings.Contains(p.stderr.String(), tt.warning) {
				t.Errorf("no %q in the log:\n%s", tt.warning, p.stderr.String())
			}
		})
	}
}

// TestCloudWatchLogsBatchSpan gives records timestamps spread over 60
// hours (a parser filter reads them from the record, as an application's
// own times would be) in one chunk: the output sorts them and cuts calls
// that each span less than 24 hours, and every record arrives.
func TestCloudWatchLogsBatchSpan(t *testing.T) {
	const n = 600
	emu := cwlStartEmulator(t)
	dir := t.TempDir()
	writeFile(t, dir, "parsers.conf", `
[PARSER]
    Name         app_json
    Format       json
    Time_Key     time
    Time_Format  %s
`)
	now := time.Now().Unix()
	var in strings.Builder
	for i := 0; i < n; i++ {
		// Newest first, so the output must sort too.
		ts := now - 3600 - int64(i)*360 // 6 minutes apart: 60 hours
		fmt.Fprintf(&in, `{"log":"{\"time\":\"%d\",\"seq\":%d}"}`+"\n", ts, i)
	}
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush         3600
    Grace         20
    Log_Level     info
    Parsers_File  parsers.conf

[INPUT]
    Name  stdin
    Tag   app

[FILTER]
    Name      parser
    Match     *
    Key_Name  log
    Parser    app_json
`+cwlSeedOutput, emu.URL))
	p := startEOF(t, strings.NewReader(in.String()), "-c", cfg)
	eventually(t, 10*time.Second, "the end of standard input", func() bool {
		return strings.Contains(p.stderr.String(), "end of standard input")
	})
	cwlStop(t, p)
	cwlNoRejections(t, emu)
	batches := emu.Stats().Batches
	if len(batches) < 3 {
		t.Fatalf("%d PutLogEvents calls for 60 hours of events: %+v", len(batches), batches)
	}
	for _, b := range batches {
		if span := time.Duration(b.Last-b.First) * time.Millisecond; span >= 24*time.Hour {
			t.Errorf("a call spans %s", span)
		}
	}
	events := emu.Events("/ecs/logs/sample-test", "webapp")
	for i := 1; i < len(events); i++ {
		if events[i].Timestamp < events[i-1].Timestamp {
			t.Fatalf("event %d is older than the one before it", i)
		}
	}
	if len(events) > 0 && events[0].Timestamp != (now-3600-int64(n-1)*360)*1000 {
		t.Errorf("oldest event at %d, want the record's own time %d", events[0].Timestamp, (now-3600-int64(n-1)*360)*1000)
	}
	checkSequence(t, cwlRecords(t, emu, "/ecs/logs/sample-test", "webapp"), "seq", n)
}
