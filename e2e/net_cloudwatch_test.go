package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
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
