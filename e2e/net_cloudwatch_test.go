package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/testing/emulators/firehose"
	"github.com/sluice-logs/sluice/testing/kcl"
)

// TestGoPluginCloudWatchName runs an aws-for-fluent-bit configuration that
// names the Go plugin `cloudwatch` with its $(var) templates: records go
// to the log group of their ecs_cluster field and the stream of their tag,
// through cloudwatch_logs, with a notice saying so.
func TestGoPluginCloudWatchName(t *testing.T) {
	const n = 300
	emu := cwlStartEmulator(t)
	var in strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, `{"seq":%d,"ecs_cluster":"%s"}`+"\n", i, []string{"prod", "dev"}[i%2])
	}
	cfg := cwlConfig(t, fmt.Sprintf(`
[OUTPUT]
    Name                      cloudwatch
    Match                     *
    region                    ap-northeast-1
    log_group_name            /ecs/$(ecs_cluster)
    log_stream_name           $(tag)-stream
    auto_create_group         true
    experimental_concurrency  4
    endpoint                  %s
`, emu.URL))
	p := start(t, strings.NewReader(in.String()), "-c", cfg)
	cwlWaitFor(t, p, emu, "/ecs/prod", "app-stream", n/2, 30*time.Second)
	cwlWaitFor(t, p, emu, "/ecs/dev", "app-stream", n/2, 30*time.Second)
	cwlStop(t, p)
	recs := append(cwlRecords(t, emu, "/ecs/prod", "app-stream"), cwlRecords(t, emu, "/ecs/dev", "app-stream")...)
	checkSequence(t, recs, "seq", n)
	if !strings.Contains(p.stderr.String(), "served by Sluice's cloudwatch_logs output") {
		t.Errorf("no notice:\n%s", p.stderr.String())
	}
	cwlNoRejections(t, emu)
}

// TestGoPluginFirehoseAndKinesisNames runs the Go plugin names firehose
// and kinesis with their own parameters against the Firehose emulator and
// kinesalite: numbered records arrive once through kinesis_firehose and
// kinesis_streams, time_key formatted with the Go plugin's %L
// (milliseconds), with a notice for each.
func TestGoPluginFirehoseAndKinesisNames(t *testing.T) {
	awsoutEnv(t)
	const n = 400
	fh, fhURL := fhStart(t, firehose.Injection{})
	ksURL := ksStartKinesalite(t)
	kc := ksClient(ksURL)
	ksCreateStream(t, kc, "app-stream", 1)
	cfg := writeFile(t, t.TempDir(), "go-plugins.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.05

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name                      firehose
    Match                     *
    region                    us-east-1
    delivery_stream           logs
    endpoint                  %s
    time_key                  ts
    time_key_format           %%Y-%%m-%%dT%%H:%%M:%%S.%%L
    experimental_concurrency  4

[OUTPUT]
    Name            kinesis
    Match           *
    region          us-east-1
    stream          app-stream
    endpoint        %s
    partition_key   level
    append_newline  true
`, fhURL, ksURL))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	eventually(t, 30*time.Second, "records in the delivery stream", func() bool { return len(fh.Records("logs")) >= n })
	var users []kcl.UserRecord
	eventually(t, 30*time.Second, "records in the Kinesis stream", func() bool {
		users, _, _ = ksReadAll(t, kc, "app-stream")
		return len(users) >= n
	})
	p.stop(syscall.SIGTERM, 15*time.Second)
	fhRecs := awsoutDecodeLines(t, fh.Records("logs"))
	checkSequence(t, fhRecs, "seq", n)
	if ts, _ := fhRecs[0]["ts"].(string); len(ts) != len("2006-01-02T15:04:05.000") {
		t.Errorf("time_key %q: want milliseconds", ts)
	}
	var blobs [][]byte
	for _, u := range users {
		if u.PartitionKey != "info" {
			t.Fatalf("partition key %q", u.PartitionKey)
		}
		blobs = append(blobs, u.Data)
	}
	checkSequence(t, awsoutDecodeLines(t, blobs), "seq", n)
	for _, want := range []string{"Go plugin firehose is served by Sluice's kinesis_firehose", "Go plugin kinesis is served by Sluice's kinesis_streams"} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("no notice %q", want)
		}
	}
}
