package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestTailRenameRotation follows four files rotated as logrotate does by
// default (rename, create) every 4,000 lines, the oldest rotated files
// deleted, while each is written at 10,000 lines/s, and checks every line
// arrives exactly once. (Path matches only the live names, as in most
// configurations: a file must be found within its 400 ms under that name,
// which any reader needs; TestTailFastRotation covers faster rotation.)
func TestTailRenameRotation(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/*.log
    Tag             app.*
    Read_from_Head  on
    Rotate_Wait     2
    Refresh_Interval 1`, logs))
	p := start(t, nil, "-c", conf)
	var writers []*tailWriter
	for i := 0; i < 4; i++ {
		writers = append(writers, &tailWriter{t: t, id: fmt.Sprintf("w%d", i), path: filepath.Join(logs, fmt.Sprintf("app%d.log", i)),
			perFile: 4000, rotation: tailRename, keep: 3})
	}
	var wg sync.WaitGroup
	for _, w := range writers {
		wg.Go(func() { w.write(20000, 100, 10*time.Millisecond) })
	}
	wg.Wait()
	for _, w := range writers {
		w.close()
	}
	out := tailOutputAt(t, filepath.Join(dir, "out", "all.log"))
	out.waitAll(30*time.Second, writers...)
	if n := tailCount(p, "file rotated or deleted"); n < 4*4 {
		t.Errorf("%d rotations seen, want at least %d", n, 4*4)
	}
}

// TestTailFastRotation rotates a file every 100 lines at full speed,
// faster than any reader can be sure to open each file under its first
// name; with Path matching the rotated names too, the files are found
// wherever they are and followed by inode, so nothing is lost or read
// twice.
func TestTailFastRotation(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/app.log*
    Read_from_Head  on
    Refresh_Interval 1`, logs))
	start(t, nil, "-c", conf)
	w := &tailWriter{t: t, id: "fast", path: filepath.Join(logs, "app.log"), perFile: 100, rotation: tailRename}
	w.write(20000, 0, 0)
	w.close()
	tailOutputAt(t, filepath.Join(dir, "out", "all.log")).waitAll(30*time.Second, w)
}

// TestTailCopyTruncate rotates by copytruncate. Copytruncate loses the
// lines written between its copy and its truncation that the reader had
// not read yet, whatever the reader, so the writer waits for the reader
// at each rotation, as a test of truncation handling: the file is read
// again from its start each time, nothing is lost and nothing repeated.
func TestTailCopyTruncate(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/*.log
    Read_from_Head  on`, logs))
	p := start(t, nil, "-c", conf)
	out := tailOutputAt(t, filepath.Join(dir, "out", "all.log"))
	w := &tailWriter{t: t, id: "ct", path: filepath.Join(logs, "app.log"), perFile: 1000, rotation: tailCopyTruncate}
	w.beforeTruncate = func(written int) {
		eventually(t, 20*time.Second, "the reader to catch up before the truncation", func() bool { return out.has(w.id, written) })
	}
	w.afterTruncate = func(n int) {
		eventually(t, 20*time.Second, "the truncation to be noticed", func() bool { return tailCount(p, "file truncated") >= n })
	}
	w.write(10000, 100, 2*time.Millisecond)
	w.close()
	out.waitAll(30*time.Second, w)
}

// TestTailKubelet follows /var/log/containers-style symlinks to CRI log
// files rotated as the kubelet does (0.log renamed 0.log.<time>, a new
// 0.log created), with lines longer than the runtime's line limit split
// into P and F pieces, and tags each record from the symlink's path.
func TestTailKubelet(t *testing.T) {
	dir := t.TempDir()
	containers := filepath.Join(dir, "containers")
	os.MkdirAll(containers, 0o755)
	var writers []*tailWriter
	for i := 0; i < 3; i++ {
		pod := filepath.Join(dir, "pods", fmt.Sprintf("default_app-%d_uid%d", i, i), "app")
		os.MkdirAll(pod, 0o755)
		link := filepath.Join(containers, fmt.Sprintf("app-%d_default_app-%064d.log", i, i))
		if err := os.Symlink(filepath.Join(pod, "0.log"), link); err != nil {
			t.Fatal(err)
		}
		writers = append(writers, &tailWriter{t: t, id: fmt.Sprintf("pod%d", i), path: filepath.Join(pod, "0.log"),
			perFile: 3000, rotation: tailRename, format: tailCRIFrame(24)})
	}
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path              %s/*.log
    Tag               kube.*
    multiline.parser  cri
    Read_from_Head    on
    Refresh_Interval  1`, containers))
	start(t, nil, "-c", conf)
	var wg sync.WaitGroup
	for _, w := range writers {
		wg.Go(func() { w.write(15000, 100, 10*time.Millisecond) })
	}
	wg.Wait()
	out := tailOutputAt(t, filepath.Join(dir, "out", "all.log"))
	out.keep = true
	out.waitAll(30*time.Second, writers...)
	for _, r := range out.recs[:10] {
		if r["stream"] != "stdout" || r["_p"] != "F" {
			t.Fatalf("record %v", r)
		}
	}
}

// tailCRIFrame returns a format that writes a line as CRI does, split into
// P pieces of at most n bytes and a final F piece.
func tailCRIFrame(n int) func(string) string {
	return func(line string) string {
		ts := time.Now().UTC().Format(time.RFC3339Nano)
		var b strings.Builder
		for len(line) > n {
			fmt.Fprintf(&b, "%s stdout P %s\n", ts, line[:n])
			line = line[n:]
		}
		fmt.Fprintf(&b, "%s stdout F %s", ts, line)
		return b.String()
	}
}

// TestTailManyFiles has 300 short-lived files appear, get written and
// disappear in waves, and checks each file's lines arrive exactly once.
func TestTailManyFiles(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/*.log
    Read_from_Head  on
    Rotate_Wait     1
    Refresh_Interval 1`, logs))
	p := start(t, nil, "-c", conf)
	out := tailOutputAt(t, filepath.Join(dir, "out", "all.log"))
	var all []*tailWriter
	for wave := 0; wave < 3; wave++ {
		var writers []*tailWriter
		for i := 0; i < 100; i++ {
			w := &tailWriter{t: t, id: fmt.Sprintf("f%d-%d", wave, i), path: filepath.Join(logs, fmt.Sprintf("f%d-%d.log", wave, i))}
			w.write(50, 0, 0)
			w.close()
			writers = append(writers, w)
		}
		out.waitAll(30*time.Second, writers...)
		for _, w := range writers {
			os.Remove(w.path)
		}
		all = append(all, writers...)
	}
	out.waitAll(10*time.Second, all...)
	eventually(t, 20*time.Second, "deleted files to be closed", func() bool { return tailCount(p, "rotated file closed") >= 200 })
}

// TestTailKillRestart kills Sluice with SIGKILL twice and restarts it on
// its offsets DB. While it is down, its files grow, rotate (the rotated
// file no longer matching Path) and new files appear; after each restart
// every line arrives, none twice.
func TestTailKillRestart(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/*.log
    DB              %s/offsets.db
    DB.sync         normal
    Rotate_Wait     1
    Refresh_Interval 1`, logs, dir))
	out := tailOutputAt(t, filepath.Join(dir, "out", "all.log"))
	a := &tailWriter{t: t, id: "a", path: filepath.Join(logs, "a.log"), perFile: 2500, rotation: tailRename}
	b := &tailWriter{t: t, id: "b", path: filepath.Join(logs, "b.log"), perFile: 4000, rotation: tailRename}
	// The files exist before the first start: Read_from_Head is off, so
	// only what is written once Sluice follows them is read.
	a.open()
	b.open()
	p := start(t, nil, "-c", conf)
	eventually(t, 10*time.Second, "both files followed", func() bool { return tailCount(p, "following file") >= 2 })
	for round := 0; round < 3; round++ {
		a.write(2000, 100, 10*time.Millisecond)
		b.write(2000, 100, 10*time.Millisecond)
		out.waitAll(30*time.Second, a, b)
		if round == 2 {
			break
		}
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		p.wait(5 * time.Second)
		// Down: both files grow and a rotates; a file appears.
		a.write(1000, 0, 0)
		b.write(500, 0, 0)
		c := &tailWriter{t: t, id: fmt.Sprintf("c%d", round), path: filepath.Join(logs, fmt.Sprintf("c%d.log", round))}
		c.write(300, 0, 0)
		c.close()
		p = start(t, nil, "-c", conf)
		out.waitAll(30*time.Second, a, b, c)
	}
	a.close()
	b.close()
}

// TestTailHotReload reloads Sluice (SIGHUP) twice while its file is
// written: the old pipeline delivers what it read and stores its offsets,
// the new one resumes from the DB, and every line arrives once.
func TestTailHotReload(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/*.log
    DB              %s/offsets.db
    Read_from_Head  on`, logs, dir))
	data, _ := os.ReadFile(conf)
	os.WriteFile(conf, []byte(strings.Replace(string(data), "[SERVICE]\n", "[SERVICE]\n    Hot_Reload  On\n", 1)), 0o644)
	p := start(t, nil, "-c", conf)
	out := tailOutputAt(t, filepath.Join(dir, "out", "all.log"))
	w := &tailWriter{t: t, id: "r", path: filepath.Join(logs, "app.log"), perFile: 2500, rotation: tailRename}
	for i := 1; i <= 2; i++ {
		w.write(3000, 100, 10*time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "the reload", func() bool { return tailCount(p, "reload complete") >= i })
	}
	w.write(1000, 0, 0)
	w.close()
	out.waitAll(30*time.Second, w)
}

// TestTailInodeReuse deletes a followed file while Sluice is down and
// creates another at its path, which the filesystem usually gives the
// same inode: the DB's fingerprint of the file's head tells them apart,
// so the new file is read from its beginning, not from the old offset.
func TestTailInodeReuse(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/*.log
    DB              %s/offsets.db
    Read_from_Head  on`, logs, dir))
	out := tailOutputAt(t, filepath.Join(dir, "out", "all.log"))
	path := filepath.Join(logs, "app.log")
	old := &tailWriter{t: t, id: "old", path: path}
	old.write(500, 0, 0)
	old.close()
	p := start(t, nil, "-c", conf)
	out.waitAll(20*time.Second, old)
	before, _ := os.Stat(path)
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(5 * time.Second)
	os.Remove(path)
	fresh := &tailWriter{t: t, id: "new", path: path}
	fresh.write(800, 0, 0) // longer than the old offset: only the fingerprint tells
	fresh.close()
	after, _ := os.Stat(path)
	t.Logf("inode reused: %v", before.Sys().(*syscall.Stat_t).Ino == after.Sys().(*syscall.Stat_t).Ino)
	start(t, nil, "-c", conf)
	out.waitAll(20*time.Second, old, fresh)
}

// TestTailKillMidFlight kills Sluice with SIGKILL three times while its
// file is written and rotated, with records still buffered: offsets are
// stored only for lines delivered (memory buffering) or written to the
// filesystem buffer, so after the restarts every line has arrived (at
// least once; a line delivered just before a kill, whose offset was not
// yet stored, arrives again).
func TestTailKillMidFlight(t *testing.T) {
	for _, storage := range []string{"memory", "filesystem"} {
		t.Run(storage, func(t *testing.T) { tailKillMidFlight(t, storage) })
	}
}

func tailKillMidFlight(t *testing.T, storage string) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	// app.log* matches the rotated names too, so a file created and
	// rotated while Sluice is down is found at the restart.
	conf := tailConfig(t, dir, fmt.Sprintf(`    Path            %s/app.log*
    DB              %s/offsets.db
    Read_from_Head  on
    storage.type    %s
    Refresh_Interval 1`, logs, dir, storage))
	data, _ := os.ReadFile(conf)
	os.WriteFile(conf, []byte(strings.Replace(string(data), "[SERVICE]\n",
		"[SERVICE]\n    storage.path  "+filepath.Join(dir, "buffer")+"\n", 1)), 0o644)
	out := tailOutputAt(t, filepath.Join(dir, "out", "all.log"))
	w := &tailWriter{t: t, id: "m", path: filepath.Join(logs, "app.log"), perFile: 3000, rotation: tailRename}
	p := start(t, nil, "-c", conf)
	for kill := 0; kill < 3; kill++ {
		base := w.next
		written := make(chan struct{})
		go func() { defer close(written); w.write(6000, 100, 10*time.Millisecond) }()
		// Kill while the writer is half-way and the pipeline busy.
		eventually(t, 20*time.Second, "lines of this round delivered", func() bool { return out.has(w.id, base+2000) })
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		p.wait(5 * time.Second)
		<-written
		w.write(500, 0, 0)
		p = start(t, nil, "-c", conf)
	}
	w.write(1000, 0, 0)
	w.close()
	deadline := time.Now().Add(30 * time.Second)
	for !out.has(w.id, w.next) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", out.report([]*tailWriter{w}))
		}
		time.Sleep(20 * time.Millisecond)
	}
	out.poll()
	out.mu.Lock()
	dups := 0
	for _, c := range out.seen[w.id] {
		if c > 1 {
			dups++
		}
	}
	out.mu.Unlock()
	t.Logf("%d lines written, none lost, %d delivered twice", w.next, dups)
}
