package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// storSlowFsync is the latency strace adds to every fsync(2) and
// fdatasync(2) of the traced Sluice: a disk an order of magnitude slower
// than a healthy SSD, like a throttled network volume.
const storSlowFsync = 40 * time.Millisecond

// storStartSlowDisk starts the built binary under strace, which delays each
// of its fsync and fdatasync calls by storSlowFsync (ptrace fault
// injection: the shipped binary has no test hook, and strace needs no
// FUSE or device-mapper). It returns the process (strace, whose exit code
// is Sluice's), the PID of Sluice itself, which signals go to, and the path
// of strace's log of the delayed calls.
func storStartSlowDisk(t *testing.T, stdin *os.File, args ...string) (*process, int, string) {
	t.Helper()
	bin, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("strace is missing; CI must run this test (make deps installs it)")
		}
		t.Skip("strace is missing; `make deps` installs it")
	}
	log := filepath.Join(t.TempDir(), "strace.log")
	us := strconv.FormatInt(storSlowFsync.Microseconds(), 10)
	straceArgs := append([]string{"-f", "--seccomp-bpf", "-qq", "-o", log, "-e", "signal=none",
		"-e", "trace=fsync,fdatasync", "-e", "inject=fsync,fdatasync:delay_enter=" + us, "--", sluiceBin}, args...)
	p := &process{t: t, cmd: exec.Command(bin, straceArgs...), done: make(chan struct{})}
	p.cmd.Stdin = stdin
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	var pid int
	eventually(t, 10*time.Second, "strace to start sluice", func() bool { pid = storTracee(p); return pid > 0 })
	t.Cleanup(func() {
		// Sluice first: a strace that exits leaves its tracee running.
		syscall.Kill(pid, syscall.SIGKILL)
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("sluice stderr:\n%s", p.stderr.String())
		}
	})
	return p, pid, log
}

// storTracee is the PID of the Sluice strace started, or 0 until strace's
// child runs the binary (strace forks short-lived probes of its own first).
func storTracee(p *process) int {
	pid := p.cmd.Process.Pid
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	for _, f := range strings.Fields(string(b)) {
		child, _ := strconv.Atoi(f)
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", child)); err == nil && exe == sluiceBin {
			return child
		}
	}
	return 0
}

// TestStorageSlowDisk runs the built binary on a slow disk (every fsync
// delayed by strace) with storage.sync full, which fsyncs each ingested
// batch before acknowledging it: the input is slowed down, not lossy;
// the monitoring server keeps answering; every record is delivered exactly
// once; SIGTERM still ends the process within Grace, exit code 0. A second
// run on the slow disk is killed with SIGKILL mid-stream: a clean restart
// delivers every record it had acknowledged.
func TestStorageSlowDisk(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	buffer := filepath.Join(dir, "buffer")
	cfg := storConfig(t, dir, port, "    storage.path "+buffer+"\n    storage.sync full", "    storage.type filesystem",
		fmt.Sprintf("    Path %s\n    File out.log", out))
	r, w := storPipe(t)
	defer w.Close()
	p, pid, straceLog := storStartSlowDisk(t, r, "-c", cfg)
	r.Close()
	const n = 1500
	feeder := storFeed(w, 0, 25, 200)
	eventually(t, 20*time.Second, "records acknowledged on the slow disk", func() bool {
		v, _ := storAcked(port)
		return v >= n
	})
	written := feeder.halt()
	if code, body, err := getText(fmt.Sprintf("http://127.0.0.1:%d/api/v1/health", port)); err != nil || code != 200 {
		t.Errorf("health endpoint on a slow disk: %d %q %v", code, body, err)
	}
	seen := storWaitDelivered(t, p, filepath.Join(out, "out.log"), written, 30*time.Second)
	fsyncs, _ := storPromValue(port, "sluice_storage_fsyncs_total", "stdin.0")
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM on a slow disk", code)
	}
	if missing, dups := storLoss(seen, written); len(missing) > 0 || dups > 0 {
		t.Fatalf("%d missing (e.g. %v), %d duplicated", len(missing), head(missing), dups)
	}
	trace, err := os.ReadFile(straceLog)
	if err != nil {
		t.Fatal(err)
	}
	delayed := strings.Count(string(trace), "(DELAYED)")
	if delayed < 10 {
		t.Fatalf("only %d fsync calls were delayed; strace log:\n%.2000s", delayed, trace)
	}
	t.Logf("%d records through a disk with %s per fsync: %d fsyncs delayed (sluice_storage_fsyncs_total %v), none lost or duplicated",
		written, storSlowFsync, delayed, fsyncs)

	// kill -9 on the slow disk, then a clean restart.
	r2, w2 := storPipe(t)
	p2, pid2, _ := storStartSlowDisk(t, r2, "-c", cfg)
	r2.Close()
	feeder2 := storFeed(w2, written, 25, 200)
	var acked int
	eventually(t, 20*time.Second, "records acknowledged by the second run", func() bool {
		acked, _ = storAcked(port)
		return acked >= 300
	})
	if err := syscall.Kill(pid2, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p2.wait(10 * time.Second)
	sent := feeder2.halt()
	w2.Close()
	r3, w3 := storPipe(t)
	defer w3.Close() // open: an end of file would stop Sluice before the replay is checked
	p3 := start(t, r3, "-c", cfg)
	r3.Close()
	seen = storWaitDelivered(t, p3, filepath.Join(out, "out.log"), written+acked, 30*time.Second)
	// Up before it is stopped: a SIGTERM before Go installs its handler
	// would kill it outright.
	eventually(t, 10*time.Second, "the restarted sluice to serve metrics", func() bool {
		_, ok := storPromValue(port, "sluice_storage_chunks", "stdin.0")
		return ok
	})
	if code := p3.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("clean restart exited %d", code)
	}
	_, dups := storLoss(seen, written+acked)
	t.Logf("kill -9 on the slow disk: %d records acknowledged (of %d written) all delivered after the restart; %d duplicates", acked, sent, dups)
}
