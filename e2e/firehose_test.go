package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/testing/emulators/firehose"
)

// fhStart starts the strict Firehose emulator with stream "logs".
func fhStart(t *testing.T, inject firehose.Injection) (*firehose.Server, string) {
	t.Helper()
	fh := firehose.New(inject, "logs")
	url, err := fh.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fh.Close)
	return fh, url
}

const fhPipeline = `
[SERVICE]
    Flush      0.2
    Grace      10
    Log_Level  info
    scheduler.base  0.05
    scheduler.cap   0.2

[INPUT]
    Name         stdin
    Tag          app
    Buffer_Size  2M

[OUTPUT]
    Name             kinesis_firehose
    Match            *
    region           us-east-1
    delivery_stream  logs
    endpoint         %s
    auto_retry_requests off
    Retry_Limit      no_limits
    workers          2
%s`

// TestFirehoseDeliversEveryRecordOnceUnderPartialFailures sends numbered
// records while the emulator fails a tenth of the records of each call
// (FailedPutCount) and throttles every seventh call: every record must arrive
// exactly once, which only holds if just the failed records are resent.
func TestFirehoseDeliversEveryRecordOnceUnderPartialFailures(t *testing.T) {
	awsoutEnv(t)
	const n = 30000
	fh, url := fhStart(t, firehose.Injection{FailFraction: 0.1, ThrottleEvery: 7, Seed: 7})
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(fhPipeline, url, ""))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	eventually(t, 30*time.Second, "every record in the delivery stream", func() bool {
		return len(fh.Records("logs")) >= n
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	checkSequence(t, awsoutDecodeLines(t, fh.Records("logs")), "seq", n)
	st := fh.Stats()
	if st.FailedRecords == 0 || st.Throttled == 0 {
		t.Fatalf("no failures were injected: %+v", st)
	}
	if st.Rejected != 0 || st.MaxCallRecords > firehose.MaxBatchRecords {
		t.Fatalf("the output broke a PutRecordBatch limit: %+v", st)
	}
	if st.MaxCallRecords != firehose.MaxBatchRecords {
		t.Errorf("largest call carried %d records; 2 MiB chunks of small records should fill calls of %d", st.MaxCallRecords, firehose.MaxBatchRecords)
	}
	t.Logf("%d calls, %d throttled, %d records failed and resent", st.Calls, st.Throttled, st.FailedRecords)
}

// TestFirehoseRecordSizeLimitAtTheEdge sends a record of exactly 1,000 KiB
// (delivered) and one a byte longer (dropped with a log line), between
// numbered small records, with gzip off and simple_aggregation on for the
// small ones.
func TestFirehoseRecordSizeLimitAtTheEdge(t *testing.T) {
	awsoutEnv(t)
	fh, url := fhStart(t, firehose.Injection{})
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(fhPipeline, url, ""))
	line := func(seq, size int) string {
		// {"seq":N,"pad":"..."} plus the newline the output adds is size bytes.
		prefix := fmt.Sprintf(`{"seq":%d,"pad":"`, seq)
		return prefix + strings.Repeat("x", size-len(prefix)-3) + `"}` + "\n"
	}
	const limit = firehose.MaxRecordBytes
	input := line(0, 100) + line(1, limit) + line(2, limit+1) + line(3, 100)
	p := start(t, strings.NewReader(input), "-c", cfg)
	eventually(t, 20*time.Second, "the records within the limit", func() bool {
		return len(fh.Records("logs")) >= 3
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	recs := fh.Records("logs")
	var seqs []float64
	for _, r := range awsoutDecodeLines(t, recs) {
		seqs = append(seqs, r["seq"].(float64))
	}
	if fmt.Sprint(seqs) != "[0 1 3]" || len(recs[1]) != limit {
		t.Fatalf("delivered seqs %v (record 1: %d bytes), want [0 1 3] with record 1 of %d bytes", seqs, len(recs[1]), limit)
	}
	if !strings.Contains(p.stderr.String(), "1,000 KiB") {
		t.Errorf("the dropped record was not logged:\n%s", p.stderr.String())
	}
}

// TestFirehoseGzipTimeKeyAndLogKey checks record shaping through the
// binary: gzip per record with time_key added, and log_key sending only a
// field's text.
func TestFirehoseGzipTimeKeyAndLogKey(t *testing.T) {
	awsoutEnv(t)
	const n = 1000
	for _, tt := range []struct {
		name, extra string
		check       func(t *testing.T, recs [][]byte)
	}{
		{"gzip and time_key", "    compression      gzip\n    time_key         ts\n    time_key_format  %Y-%m-%dT%H:%M:%S.%3NZ\n",
			func(t *testing.T, recs [][]byte) {
				plain := make([][]byte, len(recs))
				for i, r := range recs {
					zr, err := gzip.NewReader(bytes.NewReader(r))
					if err != nil {
						t.Fatalf("record %d is not gzip: %v", i, err)
					}
					plain[i], _ = io.ReadAll(zr)
				}
				lines := awsoutDecodeLines(t, plain)
				checkSequence(t, lines, "seq", n)
				ts, _ := lines[0]["ts"].(string)
				if _, err := time.Parse("2006-01-02T15:04:05.000Z", ts); err != nil {
					t.Fatalf("time_key %q: %v", ts, err)
				}
			}},
		{"log_key", "    log_key          msg\n",
			func(t *testing.T, recs [][]byte) {
				seen := map[string]bool{}
				for _, r := range recs {
					seen[string(r)] = true
				}
				for i := 0; i < n; i++ {
					if !seen[fmt.Sprintf("line %d of the e2e run\n", i)] {
						t.Fatalf("record %d missing; first record %q", i, recs[0])
					}
				}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fh, url := fhStart(t, firehose.Injection{})
			cfg := writeFile(t, t.TempDir(), "sluice.conf", fmt.Sprintf(fhPipeline, url, tt.extra))
			p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
			eventually(t, 20*time.Second, "every record", func() bool { return len(fh.Records("logs")) >= n })
			if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
				t.Fatalf("exit code %d", code)
			}
			recs := fh.Records("logs")
			if len(recs) != n {
				t.Fatalf("%d records, want %d", len(recs), n)
			}
			tt.check(t, recs)
		})
	}
}
