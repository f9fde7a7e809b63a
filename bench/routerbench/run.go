package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/template"
	"time"
)

// env is what a scenario's configuration and feeder see.
type env struct {
	Dir      string // scratch directory of the run
	HTTPPort int    // the router's monitoring port
	Port     int    // a free port for network inputs
	Port2    int    // a second one (a downstream router)
	Endpoint string // an emulator's URL, set by a scenario's setup
	stdin    io.WriteCloser
	environ  []string // extra environment of the router processes
}

// scenario is one workload.
type scenario struct {
	name    string
	config  string // classic configuration, a text/template over env
	records int    // records the outputs must report as processed
	bytes   int64  // input bytes, for MB/s
	// prepare runs before the router starts (write the file a tail reads).
	prepare func(*env) error
	// feed produces the workload once the router is up; nil when prepare did.
	feed func(context.Context, *env) error
	// stdin gives the router a pipe for feed to write to.
	stdin bool
	// downstream is a second router config started first (forward chains).
	downstream string
	// fixedRate marks a scenario whose feed paces itself: CPU % and RSS are
	// its figures, not throughput.
	fixedRate bool
	// setup starts what the scenario sends to (an emulator); cleanup stops it.
	setup func(*env) (cleanup func(), err error)
}

// result is what one run measured.
type result struct {
	records   int
	bytes     int64
	wall      time.Duration
	cpu       time.Duration
	peakRSSKB int
}

func (r result) recordsPerSec() float64 { return float64(r.records) / r.wall.Seconds() }
func (r result) mbPerSec() float64      { return float64(r.bytes) / (1 << 20) / r.wall.Seconds() }
func (r result) cpuPercent() float64    { return 100 * r.cpu.Seconds() / r.wall.Seconds() }
func (r result) cpuPerGB() float64 {
	if r.bytes == 0 {
		return 0
	}
	return r.cpu.Seconds() / (float64(r.bytes) / (1 << 30))
}
func (r result) recordsPerCPUSecond() float64 {
	if r.cpu <= 0 {
		return 0
	}
	return float64(r.records) / r.cpu.Seconds()
}

// run executes sc with router r and measures it.
func run(sc scenario, r router) (result, error) {
	dir, err := os.MkdirTemp("", "routerbench-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	e := &env{Dir: dir, HTTPPort: freePort(), Port: freePort(), Port2: freePort()}
	if sc.setup != nil {
		cleanup, err := sc.setup(e)
		if err != nil {
			return result{}, fmt.Errorf("setup: %w", err)
		}
		defer cleanup()
	}
	if sc.prepare != nil {
		if err := sc.prepare(e); err != nil {
			return result{}, fmt.Errorf("prepare: %w", err)
		}
	}
	if sc.downstream != "" {
		down := *e
		down.HTTPPort = freePort()
		p, err := startRouter(r, sc.downstream, &down, filepath.Join(dir, "downstream.conf"), false)
		if err != nil {
			return result{}, fmt.Errorf("downstream: %w", err)
		}
		defer p.stop()
	}
	p, err := startRouter(r, sc.config, e, filepath.Join(dir, "router.conf"), sc.stdin)
	if err != nil {
		return result{}, err
	}
	defer p.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	cpu0, _ := cpuTime(p.cmd.Process.Pid)
	feedErr := make(chan error, 1)
	if sc.feed != nil {
		go func() { feedErr <- sc.feed(ctx, e) }()
	} else {
		feedErr <- nil
	}
	// A fixed-rate run is measured for its CPU and memory: polling the
	// router's metrics 50 times a second would add to both (a request, a
	// JSON document), so it asks 4 times a second; the end is then known
	// within 250 ms of a 20 s run.
	poll := 20 * time.Millisecond
	if sc.fixedRate {
		poll = 250 * time.Millisecond
	}
	for {
		n, err := processedRecords(e.HTTPPort)
		if err == nil && n >= sc.records {
			break
		}
		select {
		case err := <-feedErr:
			if err != nil {
				return result{}, fmt.Errorf("feed: %w", err)
			}
			feedErr = nil
		case <-ctx.Done():
			return result{}, fmt.Errorf("timed out with %d of %d records processed; router stderr:\n%s", n, sc.records, p.stderr.String())
		case <-time.After(poll):
		}
		if p.exited() {
			return result{}, fmt.Errorf("router exited; stderr:\n%s", p.stderr.String())
		}
	}
	wall := time.Since(start)
	cpu1, err := cpuTime(p.cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	return result{records: sc.records, bytes: sc.bytes, wall: wall, cpu: cpu1 - cpu0, peakRSSKB: peakRSS(p.cmd.Process.Pid)}, nil
}

// routerProcess is a started router.
type routerProcess struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
}

func startRouter(r router, tmpl string, e *env, path string, withStdin bool) (*routerProcess, error) {
	var conf bytes.Buffer
	if err := template.Must(template.New("config").Parse(tmpl)).Execute(&conf, e); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, conf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	p := &routerProcess{cmd: exec.Command(r.path, "-c", path), done: make(chan struct{})}
	p.cmd.Stderr = &p.stderr
	p.cmd.Env = append(os.Environ(), e.environ...)
	if withStdin {
		w, err := p.cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		e.stdin = w
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	if traceEvery > 0 {
		go traceMemory(p.cmd.Process.Pid, p.done)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/uptime", e.HTTPPort))
		if err == nil {
			resp.Body.Close()
			return p, nil
		}
		if time.Now().After(deadline) || p.exited() {
			p.stop()
			return nil, fmt.Errorf("router did not start its monitoring server: %v; stderr:\n%s", err, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *routerProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *routerProcess) stop() {
	if traceEvery > 0 {
		defer func() { fmt.Fprintf(os.Stderr, "router stderr:\n%s", p.stderr.String()) }()
	}
	if p.exited() {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// processedRecords sums the outputs' proc_records in /api/v1/metrics.
func processedRecords(port int) (int, error) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/metrics", port))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var m struct {
		Output map[string]struct {
			ProcRecords int `json:"proc_records"`
		} `json:"output"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return 0, err
	}
	n := 0
	for _, o := range m.Output {
		n += o.ProcRecords
	}
	return n, nil
}

// cpuTime reads a process's user+system CPU time from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the parenthesised command name; utime and stime are
	// the 14th and 15th fields of the whole line, in clock ticks (100/s).
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// peakRSS reads VmHWM (the peak resident set) from /proc/PID/status, in KiB.
func peakRSS(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
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
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// traceEvery is -trace: the interval of the memory timeline, 0 for none.
var traceEvery time.Duration

// traceMemory prints pid's memory every traceEvery until done is closed:
// where a peak RSS comes from (start-up, the first reads, the first
// flush) shows in the timeline, not in VmHWM alone.
func traceMemory(pid int, done <-chan struct{}) {
	start := time.Now()
	tick := time.NewTicker(traceEvery)
	defer tick.Stop()
	for {
		fields := procStatus(pid, "VmRSS:", "RssAnon:", "RssFile:", "VmHWM:")
		fmt.Fprintf(os.Stderr, "trace %6.2fs rss %6d anon %6d file %6d hwm %6d KiB\n", time.Since(start).Seconds(),
			fields[0], fields[1], fields[2], fields[3])
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

// procStatus reads the named KiB fields of /proc/PID/status (-1 when absent).
func procStatus(pid int, names ...string) []int {
	out := make([]int, len(names))
	for i := range out {
		out[i] = -1
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		for i, name := range names {
			if strings.HasPrefix(line, name) {
				if f := strings.Fields(line); len(f) > 1 {
					out[i], _ = strconv.Atoi(f[1])
				}
			}
		}
	}
	return out
}
