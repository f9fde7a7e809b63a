package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluice-logs/sluice/testing/kcl"
)

// awsoutNPMPrefix is where `make deps` installs the npm emulators.
var awsoutNPMPrefix = filepath.Join("..", ".cache", "npm")

// awsoutNPMTool returns the path of an npm-installed emulator (spec is
// name@version), installing it like the Makefile does when it is missing. Without npm the test is
// skipped, except in CI, where it fails.
func awsoutNPMTool(t *testing.T, spec string) string {
	t.Helper()
	pkg, _, _ := strings.Cut(spec, "@")
	bin := filepath.Join(awsoutNPMPrefix, "node_modules", ".bin", pkg)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed and npm is missing; CI must run this test (make e2e installs %s)", pkg, pkg)
		}
		t.Skipf("%s is not installed and npm is missing; `make deps` installs it", pkg)
	}
	out, err := exec.Command("npm", "install", "--no-audit", "--no-fund", "--prefix", awsoutNPMPrefix, spec).CombinedOutput()
	if err != nil {
		t.Fatalf("npm install %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// ksStartKinesalite starts kinesalite on a free loopback port and returns
// its endpoint.
func ksStartKinesalite(t *testing.T) string {
	t.Helper()
	bin := awsoutNPMTool(t, "kinesalite@3.3.3") // the version the Makefile pins
	port := freePort(t)
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0")
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("kinesalite output:\n%s", logs.String())
		}
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	eventually(t, 15*time.Second, "kinesalite listening", func() bool {
		resp, err := http.Get(endpoint)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	return endpoint
}

// ksClient is an SDK client for reading back what sluice wrote.
func ksClient(endpoint string) *kinesis.Client {
	return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
}

// ksCreateStream creates an active stream of the given shards.
func ksCreateStream(t *testing.T, c *kinesis.Client, name string, shards int32) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "stream active", func() bool {
		out, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
		return err == nil && out.StreamDescription.StreamStatus == types.StreamStatusActive
	})
}

// ksReadAll reads every record of every shard from the start, as a KCL
// consumer does, deaggregating KPL records.
func ksReadAll(t *testing.T, c *kinesis.Client, name string) (users []kcl.UserRecord, kinesisRecords int, aggregated int) {
	t.Helper()
	ctx := context.Background()
	desc, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range desc.StreamDescription.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(10000)})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Records {
				recs, agg, err := kcl.Deaggregate(*r.PartitionKey, r.Data)
				if err != nil {
					t.Fatal(err)
				}
				kinesisRecords++
				if agg {
					aggregated++
				}
				users = append(users, recs...)
			}
			if len(out.Records) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
	return users, kinesisRecords, aggregated
}

// ksFaultProxy stands between sluice and kinesalite and injects the
// failures kinesalite cannot: it removes a share of the records of each
// PutRecords call before forwarding it, and answers those with
// ProvisionedThroughputExceededException entries (FailedRecordCount), and it
// throttles every n-th call as a whole. A record fails on its first
// arrival only, so a correct client makes progress.
type ksFaultProxy struct {
	target        *url.URL
	failFraction  float64
	throttleEvery int

	mu        sync.Mutex
	rng       *rand.Rand
	seen      map[string]bool
	calls     int
	failed    int
	throttled int
	maxCall   int
}

func (p *ksFaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutRecords") {
		p.forward(w, r, body)
		return
	}
	var req struct {
		StreamName string
		Records    []json.RawMessage
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	p.mu.Lock()
	p.calls++
	p.maxCall = max(p.maxCall, len(req.Records))
	if p.throttleEvery > 0 && p.calls%p.throttleEvery == 0 {
		p.throttled++
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(400)
		io.WriteString(w, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard"}`)
		return
	}
	keep := make([]json.RawMessage, 0, len(req.Records))
	dropped := make([]bool, len(req.Records))
	for i, rec := range req.Records {
		if !p.seen[string(rec)] && p.rng.Float64() < p.failFraction {
			p.seen[string(rec)] = true
			dropped[i] = true
			p.failed++
			continue
		}
		keep = append(keep, rec)
	}
	p.mu.Unlock()
	var results []json.RawMessage
	failedCount := 0
	if len(keep) > 0 {
		fwd, _ := json.Marshal(map[string]any{"StreamName": req.StreamName, "Records": keep})
		rec := httptest.NewRecorder()
		p.forward(rec, r, fwd)
		if rec.Code != 200 {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		var out struct {
			FailedRecordCount int
			Records           []json.RawMessage
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		results, failedCount = out.Records, out.FailedRecordCount
	}
	merged := make([]json.RawMessage, 0, len(req.Records))
	for _, d := range dropped {
		if d {
			merged = append(merged, json.RawMessage(`{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000000 (injected)"}`))
			failedCount++
			continue
		}
		merged = append(merged, results[0])
		results = results[1:]
	}
	resp, _ := json.Marshal(map[string]any{"FailedRecordCount": failedCount, "Records": merged})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", fmt.Sprint(len(resp)))
	w.Write(resp)
}

func (p *ksFaultProxy) forward(w http.ResponseWriter, r *http.Request, body []byte) {
	req, _ := http.NewRequest(r.Method, p.target.String()+r.URL.Path, bytes.NewReader(body))
	for k, v := range r.Header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(resp.StatusCode)
	w.Write(data)
}

const ksPipeline = `
[SERVICE]
    Flush           0.2
    Grace           10
    Log_Level       info
    scheduler.base  0.05
    scheduler.cap   0.2

[INPUT]
    Name         stdin
    Tag          app
    Buffer_Size  2M

[OUTPUT]
    Name                 kinesis_streams
    Match                *
    region               us-east-1
    stream               logs
    endpoint             %s
    auto_retry_requests  off
    Retry_Limit          no_limits
    workers              2
%s`

// ksSeqs returns the seq numbers of newline-terminated JSON user records.
func ksSeqs(t *testing.T, users []kcl.UserRecord) []map[string]any {
	t.Helper()
	blobs := make([][]byte, len(users))
	for i, u := range users {
		blobs[i] = u.Data
	}
	return awsoutDecodeLines(t, blobs)
}

// TestKinesisDeliversEveryRecordOnceUnderPartialFailures writes numbered
// records through a proxy that fails a tenth of each call's records and
// throttles every seventh call, into kinesalite; reading every shard back
// must give each record exactly once, with the partition key taken from
// the record.
func TestKinesisDeliversEveryRecordOnceUnderPartialFailures(t *testing.T) {
	awsoutEnv(t)
	endpoint := ksStartKinesalite(t)
	c := ksClient(endpoint)
	ksCreateStream(t, c, "logs", 2)
	target, _ := url.Parse(endpoint)
	proxy := &ksFaultProxy{target: target, failFraction: 0.1, throttleEvery: 7, rng: rand.New(rand.NewPCG(1, 2)), seen: map[string]bool{}}
	srv := httptest.NewServer(proxy)
	defer srv.Close()

	const n = 6000
	var in strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, `{"seq":%d,"pod":"pod-%d","msg":"line %d"}`+"\n", i, i%5, i)
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(ksPipeline, srv.URL, "    partition_key        pod\n"))
	p := start(t, strings.NewReader(in.String()), "-c", cfg)
	var users []kcl.UserRecord
	eventually(t, 40*time.Second, "every record in the stream", func() bool {
		users, _, _ = ksReadAll(t, c, "logs")
		return len(users) >= n
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	users, _, _ = ksReadAll(t, c, "logs")
	recs := ksSeqs(t, users)
	checkSequence(t, recs, "seq", n)
	for i, r := range recs {
		if users[i].PartitionKey != r["pod"] {
			t.Fatalf("record %v has partition key %q", r, users[i].PartitionKey)
		}
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if proxy.failed == 0 || proxy.throttled == 0 || proxy.maxCall != 500 {
		t.Fatalf("failed %d, throttled %d, largest call %d: want injected failures and full calls of 500 records", proxy.failed, proxy.throttled, proxy.maxCall)
	}
	t.Logf("%d calls, %d throttled, %d records failed and resent", proxy.calls, proxy.throttled, proxy.failed)
}

// TestKinesisAggregatedRecordsDeaggregateAsKCL writes numbered records with
// aggregation on and reads them back with the KCL deaggregator.
func TestKinesisAggregatedRecordsDeaggregateAsKCL(t *testing.T) {
	awsoutEnv(t)
	endpoint := ksStartKinesalite(t)
	c := ksClient(endpoint)
	ksCreateStream(t, c, "logs", 1)
	const n = 20000
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(ksPipeline, endpoint, "    aggregation          on\n"))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	var users []kcl.UserRecord
	var kinesisRecords, aggregated int
	eventually(t, 30*time.Second, "every record in the stream", func() bool {
		users, kinesisRecords, aggregated = ksReadAll(t, c, "logs")
		return len(users) >= n
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	checkSequence(t, ksSeqs(t, users), "seq", n)
	if aggregated == 0 || kinesisRecords > n/100 {
		t.Fatalf("%d user records in %d Kinesis records (%d aggregated): aggregation did not pack them", len(users), kinesisRecords, aggregated)
	}
	t.Logf("%d records in %d Kinesis records", n, kinesisRecords)
}

// TestKinesisRecordSizeLimitAtTheEdge sends a record whose data and
// partition key make exactly 1 MiB (accepted by kinesalite) and one a byte
// larger (dropped and logged by sluice, so the call is not refused).
func TestKinesisRecordSizeLimitAtTheEdge(t *testing.T) {
	awsoutEnv(t)
	endpoint := ksStartKinesalite(t)
	c := ksClient(endpoint)
	ksCreateStream(t, c, "logs", 1)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(ksPipeline, endpoint, "    partition_key        k\n"))
	line := func(seq, size int) string {
		// {"seq":N,"k":"abcd","pad":"..."} + newline is size bytes; the key adds 4.
		prefix := fmt.Sprintf(`{"seq":%d,"k":"abcd","pad":"`, seq)
		return prefix + strings.Repeat("x", size-4-len(prefix)-3) + `"}` + "\n"
	}
	const limit = 1 << 20
	input := line(0, 100) + line(1, limit) + line(2, limit+1) + line(3, 100)
	p := start(t, strings.NewReader(input), "-c", cfg)
	var users []kcl.UserRecord
	eventually(t, 20*time.Second, "the records within the limit", func() bool {
		users, _, _ = ksReadAll(t, c, "logs")
		return len(users) >= 3
	})
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	var seqs []float64
	for _, r := range ksSeqs(t, users) {
		seqs = append(seqs, r["seq"].(float64))
	}
	if fmt.Sprint(seqs) != "[0 1 3]" || len(users[1].Data)+len(users[1].PartitionKey) != limit {
		t.Fatalf("delivered seqs %v, want [0 1 3] with record 1 of exactly 1 MiB", seqs)
	}
	if !strings.Contains(p.stderr.String(), "1 MiB") {
		t.Errorf("the dropped record was not logged:\n%s", p.stderr.String())
	}
}
