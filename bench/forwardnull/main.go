// Command forwardnull measures Sluice's forward input as a whole process:
// it starts sluice with a forward -> null pipeline, sends N numbered records
// with a real client, waits until the input has counted all of them (from
// the monitoring API), and reports the sluice process's CPU time and peak
// RSS from /proc.
//
//	go build -o bin/sluice ./cmd/sluice
//	go run ./bench/forwardnull -sluice bin/sluice -n 1000000 -client packed
//
// Clients: "golang" is github.com/fluent/fluent-logger-golang (Message mode,
// one record per message, as Docker's fluentd and awsfirelens drivers
// send); "packed" sends PackedForward messages of -batch records with acks,
// as Fluent Bit's and Sluice's forward outputs do.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"
	"github.com/tinylib/msgp/msgp"
)

func main() {
	bin := flag.String("sluice", "bin/sluice", "sluice binary")
	n := flag.Int("n", 1_000_000, "records to send")
	client := flag.String("client", "packed", "golang or packed")
	batch := flag.Int("batch", 1000, "records per message (packed)")
	flag.Parse()

	dir, err := os.MkdirTemp("", "forwardnull")
	check(err)
	defer os.RemoveAll(dir)
	port, httpPort := freePort(), freePort()
	conf := filepath.Join(dir, "sluice.conf")
	check(os.WriteFile(conf, []byte(fmt.Sprintf(`
[SERVICE]
    Flush        1
    Log_Level    warn
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d

[INPUT]
    Name    forward
    Listen  127.0.0.1
    Port    %d

[OUTPUT]
    Name   null
    Match  *
`, httpPort, port)), 0o600))
	cmd := exec.Command(*bin, "-c", conf)
	cmd.Stderr = os.Stderr
	check(cmd.Start())
	defer cmd.Process.Kill()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log.Fatal("sluice did not listen")
		}
		time.Sleep(20 * time.Millisecond)
	}
	pid := cmd.Process.Pid
	cpu0 := cpuSeconds(pid)
	start := time.Now()
	switch *client {
	case "golang":
		sendGolang(port, *n)
	case "packed":
		sendPacked(addr, *n, *batch)
	default:
		log.Fatalf("unknown client %q", *client)
	}
	for got := 0; got < *n; got = inputRecords(httpPort) {
		time.Sleep(10 * time.Millisecond)
	}
	wall := time.Since(start)
	cpu := cpuSeconds(pid) - cpu0
	fmt.Printf("client=%s records=%d wall=%.2fs records/s=%.0f sluice_cpu=%.2fs records/cpu_s=%.0f peak_rss=%d KiB\n",
		*client, *n, wall.Seconds(), float64(*n)/wall.Seconds(), cpu, float64(*n)/cpu, peakRSS(pid))
}

func record(i int) map[string]any {
	return map[string]any{"seq": i, "container_id": "3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e",
		"container_name": "/ecs-webapp-1-webapp-b2c4e6f8a0c2e4f6a801", "source": "stdout",
		"log": fmt.Sprintf(`10.0.1.%d - - [01/Dec/2026:05:00:00 +0000] "GET /index.html?seq=%08d HTTP/1.1" 200 615 "-" "Mozilla/5.0"`, i%250, i)}
}

func sendGolang(port, n int) {
	logger, err := fluent.New(fluent.Config{FluentHost: "127.0.0.1", FluentPort: port, Timeout: 10 * time.Second})
	check(err)
	for i := 0; i < n; i++ {
		check(logger.Post("bench", record(i)))
	}
	check(logger.Close())
}

func sendPacked(addr string, n, batch int) {
	c, err := net.Dial("tcp", addr)
	check(err)
	defer c.Close()
	r := msgp.NewReader(c)
	var entries, msg []byte
	for sent, id := 0, 0; sent < n; id++ {
		entries = entries[:0]
		k := min(batch, n-sent)
		for i := sent; i < sent+k; i++ {
			entries = msgp.AppendArrayHeader(entries, 2)
			entries = msgp.AppendInt64(entries, time.Now().Unix())
			entries, err = msgp.AppendIntf(entries, record(i))
			check(err)
		}
		chunk := strconv.Itoa(id)
		msg = msgp.AppendArrayHeader(msg[:0], 3)
		msg = msgp.AppendString(msg, "bench")
		msg = msgp.AppendBytes(msg, entries)
		msg = msgp.AppendMapHeader(msg, 2)
		msg = msgp.AppendString(msg, "size")
		msg = msgp.AppendInt(msg, k)
		msg = msgp.AppendString(msg, "chunk")
		msg = msgp.AppendString(msg, chunk)
		_, err = c.Write(msg)
		check(err)
		ack := map[string]any{}
		check(r.ReadMapStrIntf(ack))
		if ack["ack"] != chunk {
			log.Fatalf("ack %v, want %s", ack, chunk)
		}
		sent += k
	}
}

func inputRecords(port int) int {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", port))
	check(err)
	defer resp.Body.Close()
	var m struct {
		Input map[string]struct {
			Records int `json:"records"`
		} `json:"input"`
	}
	check(json.NewDecoder(resp.Body).Decode(&m))
	return m.Input["forward.0"].Records
}

// cpuSeconds is the user+system time of pid, from /proc/<pid>/stat.
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	check(err)
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}

// peakRSS is VmHWM of pid in KiB.
func peakRSS(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return kb
		}
	}
	return -1
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
