package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// kafkaBenchRecords is the size of one whole-process run.
const kafkaBenchRecords = 200000

// BenchmarkKafkaOutputProcess measures the built binary producing: records
// on stdin (from a file) -> kafka output -> an in-process kfake broker,
// timed from the start of the process until a consumer has read them all.
//
//	go test -run XXX -bench KafkaOutputProcess -benchtime 3x ./e2e/
func BenchmarkKafkaOutputProcess(b *testing.B) {
	dir := b.TempDir()
	var lines strings.Builder
	for i := range kafkaBenchRecords {
		fmt.Fprintf(&lines, `{"seq":%d,"level":"info","msg":"request served","path":"/api/v1/items","status":200,"id":"req-%d"}`+"\n", i, i%64)
	}
	input := writeFileB(b, dir, "in.jsonl", lines.String())
	for b.Loop() {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(6, "logs"))
		if err != nil {
			b.Fatal(err)
		}
		addr := c.ListenAddrs()[0]
		cfg := writeFileB(b, dir, "agent.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
[INPUT]
    Name           stdin
    Tag            app
    Mem_Buf_Limit  64M
[OUTPUT]
    Name               kafka
    Match              app
    Brokers            %s
    Topics             logs
    Message_Key_Field  id
    Workers            2
`, addr))
		f, err := os.Open(input)
		if err != nil {
			b.Fatal(err)
		}
		began := time.Now()
		p := startB(b, f, "-c", cfg)
		got := kafkaBenchCount(b, addr, "logs", kafkaBenchRecords)
		elapsed := time.Since(began)
		p.Process.Signal(syscall.SIGTERM)
		p.Wait()
		f.Close()
		c.Close()
		if got != kafkaBenchRecords {
			b.Fatalf("consumed %d records", got)
		}
		b.ReportMetric(kafkaBenchRecords/elapsed.Seconds(), "records/s")
	}
}

// BenchmarkKafkaInputProcess measures the built binary consuming: records
// produced into six partitions beforehand -> kafka input -> null output,
// timed from the start of the process until its input counted them all.
//
//	go test -run XXX -bench KafkaInputProcess -benchtime 3x ./e2e/
func BenchmarkKafkaInputProcess(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(6, "logs"))
		if err != nil {
			b.Fatal(err)
		}
		addr := c.ListenAddrs()[0]
		kafkaBenchProduce(b, addr, "logs", kafkaBenchRecords)
		port := freePortB(b)
		cfg := writeFileB(b, dir, "aggregator.conf", fmt.Sprintf(`
[SERVICE]
    Flush        0.2
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d
[INPUT]
    Name      kafka
    Tag       k
    Brokers   %s
    Topics    logs
    Format    json
    rdkafka.auto.offset.reset  earliest
[OUTPUT]
    Name   null
    Match  k
`, port, addr))
		began := time.Now()
		p := startB(b, nil, "-c", cfg)
		kafkaBenchWaitInput(b, port, "kafka.0", kafkaBenchRecords)
		elapsed := time.Since(began)
		p.Process.Signal(syscall.SIGTERM)
		p.Wait()
		c.Close()
		b.ReportMetric(kafkaBenchRecords/elapsed.Seconds(), "records/s")
	}
}

func writeFileB(b *testing.B, dir, name, content string) string {
	b.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// startB runs the binary for a benchmark; the caller stops it.
func startB(b *testing.B, stdin *os.File, args ...string) *exec.Cmd {
	b.Helper()
	cmd := exec.Command(sluiceBin, args...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func freePortB(b *testing.B) int {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// kafkaBenchCount consumes topic from the start until n records arrived or
// a minute passed, and returns how many it read.
func kafkaBenchCount(b *testing.B, addr, topic string, n int) int {
	b.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(50*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got := 0
	for got < n && ctx.Err() == nil {
		got += cl.PollFetches(ctx).NumRecords()
	}
	return got
}

func kafkaBenchProduce(b *testing.B, addr, topic string, n int) {
	b.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: topic, Key: fmt.Appendf(nil, "k%d", i%64),
			Value: fmt.Appendf(nil, `{"seq":%d,"level":"info","msg":"request served","path":"/api/v1/items","status":200}`, i)}
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		b.Fatal(err)
	}
}

// kafkaBenchWaitInput polls the monitoring API until input name counted n
// records.
func kafkaBenchWaitInput(b *testing.B, port int, name string, n int) {
	b.Helper()
	url := fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", port)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var m struct {
			Input map[string]struct{ Records int } `json:"input"`
		}
		if resp, err := http.Get(url); err == nil {
			json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			if m.Input[name].Records >= n {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("input %s did not count %d records within a minute", name, n)
}
