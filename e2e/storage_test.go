package e2e

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// storSource is an upstream that re-sends what Sluice did not
// acknowledge, the other half of at-least-once. The kill -9 loop drives any
// source: stdin (storStdinSource) and a forward client with chunk acks
// (storFwdSource, storage_forward_test.go).
type storSource interface {
	// Input is the body of the [INPUT] section, without storage.type.
	Input() string
	// Start starts Sluice with cfg and sends numbered records from from
	// on, in order, until Stop.
	Start(t *testing.T, cfg string, from int) *process
	// Acked is how many of the records sent since Start Sluice
	// acknowledged: always a prefix of them, since sources send in order.
	Acked() int
	// Stop stops sending (Sluice was killed or stopped) and returns how
	// many records were written.
	Stop() int
}

// storStdinSource is the stdin input reading a pipe the test writes.
// Emit of a filesystem input returns only once the records are written
// (and fsynced with storage.sync full), and
// sluice_storage_stored_records_total counts them right after, so the
// counter is stdin's acknowledgement: after a kill -9 the test re-sends
// from the last count it saw, as a forward client re-sends unacknowledged
// chunks or tail restarts from its saved offset.
type storStdinSource struct {
	port   int
	feeder *storFeeder
	acked  int
}

func (s *storStdinSource) Input() string { return "    Name stdin\n    Tag  numbers" }

func (s *storStdinSource) Start(t *testing.T, cfg string, from int) *process {
	r, w := storPipe(t)
	p := start(t, r, "-c", cfg)
	r.Close()
	s.feeder, s.acked = storFeed(w, from, 25, 120), 0
	return p
}

func (s *storStdinSource) Acked() int {
	if v, ok := storAcked(s.port); ok {
		s.acked = v
	}
	return s.acked
}

func (s *storStdinSource) Stop() int {
	n := s.feeder.halt()
	s.feeder.w.Close()
	return n
}

// TestStorageKill9LosesNothingAcknowledged kills Sluice with SIGKILL at
// random moments while it ingests, restarts it each time on the same
// storage.path, and checks that every acknowledged record reaches the
// output (duplicates are allowed and reported: the guarantee is
// at-least-once).
func TestStorageKill9LosesNothingAcknowledged(t *testing.T) {
	iterations := 50
	if v, err := strconv.Atoi(os.Getenv("STOR_KILL_ITERATIONS")); err == nil && v > 0 {
		iterations = v
	}
	for _, sync := range []string{"full", "normal"} {
		t.Run("stdin/sync="+sync, func(t *testing.T) {
			n := iterations
			if sync == "normal" {
				n = max(iterations/3, 1) // kill -9 cannot lose a write(2) either; fewer runs
			}
			port := freePort(t)
			storKillLoop(t, &storStdinSource{port: port}, port, sync, n)
		})
	}
}

// storKillLoop runs Sluice iterations times on one storage.path, each run
// fed by src and killed with SIGKILL after a random 0-250 ms, then once more
// to completion, and checks that every record src saw acknowledged was
// delivered; it reports the duplicates. In a random third of the runs the
// destination is down (its directory moved away), so chunks are killed
// while waiting for retries, not only on their way to a working output.
func storKillLoop(t *testing.T, src storSource, port int, sync string, iterations int) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush            0.05
    Grace            2
    HTTP_Server      On
    HTTP_Listen      127.0.0.1
    HTTP_Port        %d
    storage.path     %s
    storage.sync     %s
    storage.checksum on

[INPUT]
%s
    storage.type filesystem

[OUTPUT]
    Name    file
    Match   *
    Format  plain
    Path    %s
    File    out.log
`, port, filepath.Join(dir, "buffer"), sync, src.Input(), out))
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	parked := filepath.Join(dir, "out.down")
	acked, sent, downRuns := 0, 0, 0
	var perRun []string
	for range iterations {
		down := rng.IntN(3) == 0
		if down {
			downRuns++
			if err := os.Rename(out, parked); err != nil {
				t.Fatal(err)
			}
		}
		p := src.Start(t, cfg, acked)
		killAt := time.Now().Add(time.Duration(rng.IntN(250)) * time.Millisecond)
		for time.Now().Before(killAt) {
			src.Acked()
			time.Sleep(5 * time.Millisecond)
		}
		observed := src.Acked()
		p.cmd.Process.Kill()
		p.wait(10 * time.Second)
		sent += src.Stop()
		acked += observed
		if down {
			if err := os.Rename(parked, out); err != nil {
				t.Fatal(err)
			}
			perRun = append(perRun, strconv.Itoa(observed)+"(down)")
		} else {
			perRun = append(perRun, strconv.Itoa(observed))
		}
	}
	// A last, clean run replays what the killed ones left.
	r, w := storPipe(t)
	defer w.Close() // open: an end of file would stop Sluice before the replay is checked
	p := start(t, r, "-c", cfg)
	r.Close()
	seen := storWaitDelivered(t, p, filepath.Join(out, "out.log"), acked, 60*time.Second)
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("clean stop exited %d", code)
	}
	missing, dups := storLoss(seen, acked)
	if len(missing) > 0 {
		t.Fatalf("%d acknowledged records lost, e.g. %v", len(missing), head(missing))
	}
	t.Logf("sync=%s: %d kill -9 runs (%d with the destination down); %d records acknowledged (of %d written); lost 0; duplicates %d; acknowledged per run: %s",
		sync, iterations, downRuns, acked, sent, dups, strings.Join(perRun, " "))
}

// TestStorageDestinationDownThenBack: the output's directory is missing
// (every flush fails and is retried) while records are acknowledged; Sluice
// is stopped and restarted during the outage, which loses nothing (the
// chunks stay on disk, exit code 0); when the directory appears, every
// record is delivered and the buffer empties.
func TestStorageDestinationDownThenBack(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	out := filepath.Join(dir, "out")
	buffer := filepath.Join(dir, "buffer")
	cfg := storConfig(t, dir, port, "    storage.path "+buffer, "    storage.type filesystem",
		fmt.Sprintf("    Path %s\n    File out.log", out))
	const perRun = 300
	for run := range 2 {
		r, w := storPipe(t)
		p := start(t, r, "-c", cfg)
		r.Close()
		var lines strings.Builder
		for i := range perRun {
			lines.WriteString(storLine(run*perRun+i, 200))
		}
		if _, err := w.WriteString(lines.String()); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "records acknowledged", func() bool { n, _ := storAcked(port); return n == perRun })
		eventually(t, 10*time.Second, "failed flushes", func() bool {
			v, _ := storPromValue(port, "fluentbit_output_errors_total", "file.0")
			return v >= 2
		})
		if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Fatalf("stop during the outage exited %d (records kept on disk are not lost); stderr:\n%s", code, p.stderr.String())
		}
		w.Close()
	}
	r, w := storPipe(t)
	defer w.Close()
	p := start(t, r, "-c", cfg)
	r.Close()
	eventually(t, 10*time.Second, "the backlog to be retried", func() bool {
		v, _ := storPromValue(port, "fluentbit_output_errors_total", "file.0")
		return v >= 1
	})
	var st struct {
		StorageLayer struct {
			Chunks struct {
				FSChunks int `json:"fs_chunks"`
			} `json:"chunks"`
		} `json:"storage_layer"`
	}
	if getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1/storage", port), &st); st.StorageLayer.Chunks.FSChunks == 0 {
		t.Errorf("/api/v1/storage reports no filesystem chunks during the outage")
	}
	if err := os.Mkdir(out, 0o755); err != nil { // the destination is back
		t.Fatal(err)
	}
	seen := storWaitDelivered(t, p, filepath.Join(out, "out.log"), 2*perRun, 30*time.Second)
	eventually(t, 10*time.Second, "the buffer to empty", func() bool {
		v, ok := storPromValue(port, "sluice_storage_chunks", "stdin.0")
		return ok && v == 0
	})
	p.stop(syscall.SIGTERM, 15*time.Second)
	_, dups := storLoss(seen, 2*perRun)
	if entries, _ := os.ReadDir(filepath.Join(buffer, "stdin.0")); len(entries) != 0 {
		t.Errorf("%d files left in the buffer after everything was delivered", len(entries))
	}
	t.Logf("destination down then back: %d records, lost 0, duplicates %d", 2*perRun, dups)
}

// TestStorageCorruptedChunkAtRestart flips a byte inside one data frame of
// a buffer left by a stopped Sluice: at restart that frame is skipped with
// an error naming the file and offset, and every other record is delivered.
func TestStorageCorruptedChunkAtRestart(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	out := filepath.Join(dir, "out")
	buffer := filepath.Join(dir, "buffer")
	cfg := storConfig(t, dir, port, "    storage.path "+buffer+"\n    storage.checksum on", "    storage.type filesystem",
		fmt.Sprintf("    Path %s\n    File out.log", out))
	const groups, perGroup = 5, 20
	r, w := storPipe(t)
	p := start(t, r, "-c", cfg)
	r.Close()
	for g := range groups { // one write, one Emit, one data frame per group
		var lines strings.Builder
		for i := range perGroup {
			lines.WriteString(storLine(g*perGroup+i, 100))
		}
		w.WriteString(lines.String())
		eventually(t, 10*time.Second, "the group to be stored", func() bool { n, _ := storAcked(port); return n == (g+1)*perGroup })
	}
	p.stop(syscall.SIGTERM, 15*time.Second)
	w.Close()

	segs, _ := filepath.Glob(filepath.Join(buffer, "stdin.0", "seg-*.log"))
	if len(segs) != 1 {
		t.Fatalf("want one segment, found %v", segs)
	}
	raw, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	offset := storNthDataFrame(t, raw, 2) // the third group
	raw[offset+12+12+10] ^= 0x55          // inside its events
	os.WriteFile(segs[0], raw, 0o644)

	os.Mkdir(out, 0o755)
	r, w = storPipe(t)
	defer w.Close()
	p = start(t, r, "-c", cfg)
	r.Close()
	eventually(t, 20*time.Second, "the other records", func() bool {
		return len(storDelivered(t, filepath.Join(out, "out.log"))) >= (groups-1)*perGroup
	})
	p.stop(syscall.SIGTERM, 15*time.Second)
	seen := storDelivered(t, filepath.Join(out, "out.log"))
	missing, dups := storLoss(seen, groups*perGroup)
	if len(missing) != perGroup || missing[0] != 2*perGroup || missing[perGroup-1] != 3*perGroup-1 {
		t.Errorf("missing %v, want exactly the corrupted group %d..%d", missing, 2*perGroup, 3*perGroup-1)
	}
	stderr := p.stderr.String()
	for _, want := range []string{"corrupted frame skipped", filepath.Base(segs[0]), "offset=" + strconv.Itoa(offset), "CRC-32C mismatch"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	t.Logf("corrupted frame at offset %d: lost its %d records, delivered the other %d, duplicates %d", offset, perGroup, len(seen), dups)
}

// storNthDataFrame walks a segment's frames (see internal/storage's
// package documentation) and returns the offset of the n-th (0-based) data
// frame.
func storNthDataFrame(t *testing.T, seg []byte, n int) int {
	t.Helper()
	off := 8
	for off+12 <= len(seg) {
		typ, length := seg[off+2], int(binary.LittleEndian.Uint32(seg[off+4:]))
		if typ == 2 {
			if n == 0 {
				return off
			}
			n--
		}
		off += 12 + length
	}
	t.Fatalf("segment has fewer data frames")
	return 0
}

// TestStorageFullDisk buffers into a 1 MiB tmpfs while the destination is
// down: when the disk is full the input stops acknowledging (it is paused,
// and its upstream blocks) instead of losing records; when the destination
// is back, delivered segments are deleted, the input resumes, and every
// acknowledged record is delivered. Needs root for mount(8).
func TestStorageFullDisk(t *testing.T) {
	dir := t.TempDir()
	buffer := filepath.Join(dir, "buffer")
	os.Mkdir(buffer, 0o755)
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a size-limited tmpfs; the full-disk path is also covered by internal/engine's fault-injecting file layer (TestFullDiskPausesTheInputUntilSpaceReturns)")
	}
	if outb, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", buffer).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot mount a tmpfs in CI (%v: %s): the full-disk test must run there", err, outb)
		}
		t.Skipf("cannot mount a tmpfs (%v: %s); covered by internal/engine's TestFullDiskPausesTheInputUntilSpaceReturns", err, outb)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", buffer).Run() })
	port := freePort(t)
	out := filepath.Join(dir, "out")
	cfg := storConfig(t, dir, port, "    storage.path "+buffer, "    storage.type filesystem",
		fmt.Sprintf("    Path %s\n    File out.log", out))
	r, w := storPipe(t)
	defer w.Close()
	p := start(t, r, "-c", cfg)
	r.Close()
	feeder := storFeed(w, 0, 20, 500)
	eventually(t, 20*time.Second, "the disk to fill up", func() bool {
		v, _ := storPromValue(port, "sluice_storage_write_errors_total", "stdin.0")
		return v > 0
	})
	full, _ := storAcked(port)
	if full > 2500 {
		t.Fatalf("%d records of 500 bytes acknowledged on a 1 MiB disk", full)
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the input to resume", func() bool { n, _ := storAcked(port); return n > full+200 })
	written := feeder.halt()
	eventually(t, 20*time.Second, "every written record acknowledged", func() bool { n, _ := storAcked(port); return n == written })
	seen := storWaitDelivered(t, p, filepath.Join(out, "out.log"), written, 30*time.Second)
	p.stop(syscall.SIGTERM, 15*time.Second)
	_, dups := storLoss(seen, written)
	t.Logf("full disk: paused at %d records, then %d acknowledged and delivered; lost 0, duplicates %d", full, written, dups)
}

// TestStorageDeadLetters: records the file output rejects permanently (a
// tag that is not a safe file name) go to storage.path/rejected as JSON
// lines with their tag, output and reason.
func TestStorageDeadLetters(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	buffer := filepath.Join(dir, "buffer")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush                 0.05
    Grace                 2
    HTTP_Server           On
    HTTP_Listen           127.0.0.1
    HTTP_Port             %d
    storage.path          %s
    storage.keep.rejected on

[INPUT]
    Name          stdin
    Tag           ../escape
    storage.type  filesystem

[OUTPUT]
    Name    file
    Match   *
    Path    %s
`, port, buffer, dir))
	r, w := storPipe(t)
	p := start(t, r, "-c", cfg)
	r.Close()
	for i := range 10 {
		w.WriteString(storLine(i, 60))
	}
	w.Close()
	path := filepath.Join(buffer, "rejected", "file.0.jsonl")
	eventually(t, 10*time.Second, "dead letters", func() bool { return len(jsonLines(t, path)) == 10 })
	p.stop(syscall.SIGTERM, 15*time.Second)
	lines := jsonLines(t, path)
	if lines[0]["tag"] != "../escape" || lines[0]["output"] != "file.0" || lines[0]["reason"] != "permanent_error" {
		t.Errorf("dead letter %v lacks tag, output or reason", lines[0])
	}
	if rec, ok := lines[0]["record"].(map[string]any); !ok || rec["seq"] != 0.0 {
		t.Errorf("dead letter %v does not hold the record", lines[0])
	}
	missing, dups := storLoss(storDeadLetterSeqs(lines), 10)
	if len(missing) > 0 {
		t.Errorf("records missing from the dead-letter store: %v", missing)
	}
	t.Logf("dead letters: 10 rejected records kept, duplicates %d", dups)
}

func storDeadLetterSeqs(lines []map[string]any) map[int]int {
	seen := map[int]int{}
	for _, l := range lines {
		if rec, ok := l["record"].(map[string]any); ok {
			if v, ok := rec["seq"].(float64); ok {
				seen[int(v)]++
			}
		}
	}
	return seen
}
