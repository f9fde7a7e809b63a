package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/testing/emulators/firehose"
)

// awsoutKBLines returns n JSON lines of exactly 1,024 bytes with the
// newline, numbered, with random text that compresses like real logs do
// not (base64 of random bytes).
func awsoutKBLines(n int) string {
	var b strings.Builder
	rnd := rand.New(rand.NewPCG(5, 6))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
	for i := 0; i < n; i++ {
		prefix := fmt.Sprintf(`{"seq":%d,"level":"info","msg":"`, i)
		b.WriteString(prefix)
		for j := len(prefix); j < 1024-3; j++ {
			b.WriteByte(alphabet[rnd.IntN(len(alphabet))])
		}
		b.WriteString("\"}\n")
	}
	return b.String()
}

// TestAWSOutThroughput measures each AWS output's whole-process MB/s with
// 1 KB records from stdin to its emulator, from start to the last record
// stored. It is a measurement, not a check: it runs only with
// SLUICE_AWSOUT_BENCH=1 (see BENCHMARKS.md).
func TestAWSOutThroughput(t *testing.T) {
	if os.Getenv("SLUICE_AWSOUT_BENCH") == "" {
		t.Skip("set SLUICE_AWSOUT_BENCH=1 to measure")
	}
	measure := func(t *testing.T, n int, cfg string, arrived func() int) {
		input := awsoutKBLines(n)
		began := time.Now()
		p := start(t, strings.NewReader(input), "-c", cfg)
		eventually(t, 120*time.Second, "every record delivered", func() bool { return arrived() >= n })
		took := time.Since(began)
		p.stop(syscall.SIGTERM, 30*time.Second)
		mb := float64(len(input)) / (1 << 20)
		cpu := p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
		t.Logf("%d records of 1 KiB (%.0f MiB) in %s: %.1f MiB/s, %.0f records/s; sluice used %s of CPU (%.0f MiB per CPU second)",
			n, mb, took.Round(time.Millisecond), mb/took.Seconds(), float64(n)/took.Seconds(), cpu.Round(time.Millisecond), mb/cpu.Seconds())
	}
	t.Run("kinesis_firehose", func(t *testing.T) {
		awsoutEnv(t)
		fh, endpoint := fhStart(t, firehose.Injection{})
		dir := t.TempDir()
		cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(fhPipeline, endpoint, ""))
		measure(t, 100000, cfg, func() int { return len(fh.Records("logs")) })
	})
	for _, agg := range []string{"off", "on"} {
		t.Run("kinesis_streams/aggregation_"+agg, func(t *testing.T) {
			awsoutEnv(t)
			endpoint := ksStartKinesalite(t)
			c := ksClient(endpoint)
			ksCreateStream(t, c, "logs", 4)
			dir := t.TempDir()
			cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(ksPipeline, endpoint, "    aggregation          "+agg+"\n"))
			measure(t, 30000, cfg, func() int { u, _, _ := ksReadAll(t, c, "logs"); return len(u) })
		})
	}
	t.Run("s3/multipart", func(t *testing.T) {
		endpoint := s3StartS3rver(t)
		dir := t.TempDir()
		cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(s3Pipeline, "app", endpoint, filepath.Join(dir, "store"),
			"    upload_timeout  1s\n    total_file_size 20M\n    s3_key_format   /logs/$TAG/$INDEX\n"))
		measure(t, 100000, cfg, func() int {
			total := 0
			for _, o := range s3ReadAll(t, endpoint) {
				total += strings.Count(string(o.data), "\n")
			}
			return total
		})
	})
}
