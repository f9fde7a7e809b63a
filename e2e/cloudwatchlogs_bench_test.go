package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCloudWatchLogsThroughput measures whole-process throughput: 1 KB
// records on stdin through the cloudwatch_logs output into the emulator
// (in this test process, sharing the machine), into one log stream and
// into four. It runs only with SLUICE_CWL_BENCH=1 and logs MB/s; see
// BENCHMARKS.md.
func TestCloudWatchLogsThroughput(t *testing.T) {
	if os.Getenv("SLUICE_CWL_BENCH") == "" {
		t.Skip("set SLUICE_CWL_BENCH=1 to measure cloudwatch_logs throughput")
	}
	const n = 200_000
	for _, tc := range []struct{ workers, streams int }{{1, 1}, {2, 4}} {
		t.Run(fmt.Sprintf("workers=%d,streams=%d", tc.workers, tc.streams), func(t *testing.T) {
			emu := cwlStartEmulator(t)
			var in strings.Builder
			pad := strings.Repeat("x", 1024)
			for i := 0; i < n; i++ {
				// Each line is 1,024 bytes with its newline.
				head := fmt.Sprintf(`{"seq":%d,"stream":"s%d","log":"`, i, i%tc.streams)
				fmt.Fprintf(&in, "%s%s\"}\n", head, pad[:1024-len(head)-3])
			}
			size := in.Len()
			cfg := cwlConfig(t, fmt.Sprintf(`
[OUTPUT]
    Name                 cloudwatch_logs
    Match                *
    region               ap-northeast-1
    log_group_name       bench
    log_stream_name      s0
    log_stream_template  $stream
    auto_create_group    on
    Workers              %d
    endpoint             %s
`, tc.workers, emu.URL))
			begin := time.Now()
			p := start(t, strings.NewReader(in.String()), "-c", cfg)
			eventually(t, 120*time.Second, "every record in CloudWatch", func() bool { return emu.Stats().Events >= n })
			elapsed := time.Since(begin)
			cwlStop(t, p)
			var all []map[string]any
			for s := 0; s < tc.streams; s++ {
				all = append(all, cwlRecords(t, emu, "bench", fmt.Sprintf("s%d", s))...)
			}
			checkSequence(t, all, "seq", n)
			t.Logf("%d records of 1 KB (%.1f MB) in %s: %.1f MB/s, %.0f records/s",
				n, float64(size)/1e6, elapsed.Round(time.Millisecond), float64(size)/1e6/elapsed.Seconds(), n/elapsed.Seconds())
		})
	}
}
