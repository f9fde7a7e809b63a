package tail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// newTail builds the input from classic key/value pairs through the
// engine's Decode.
func newTail(t testing.TB, ml []config.Section, kv ...string) *Input {
	return newTailParsers(t, ml, nil, kv...)
}

// newTailParsers is newTail with [PARSER] sections.
func newTailParsers(t testing.TB, ml, parsers []config.Section, kv ...string) *Input {
	t.Helper()
	sect := &config.Section{Kind: config.KindInput, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "tail"})
	tag := "t"
	for i := 0; i+1 < len(kv); i += 2 {
		if strings.EqualFold(kv[i], "Tag") {
			tag = kv[i+1]
		}
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[INPUT] tail")
	if err != nil {
		t.Fatal(err)
	}
	var logs io.Writer = io.Discard
	if testing.Verbose() {
		logs = os.Stderr
	}
	reg, _, err := parser.NewRegistry(parsers)
	if err != nil {
		t.Fatal(err)
	}
	in, err := New(plugin.Settings{ID: "tail.0", Tag: tag, Config: cfg, MultilineParsers: ml, Parsers: reg,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// got is one emitted record: its tag and body as JSON-decoded values.
type got struct {
	tag  string
	time record.Time
	body map[string]any
}

// collector is an Emitter keeping every record.
type collector struct {
	mu       sync.Mutex
	recs     []got
	fail     error
	maxBatch int // bytes of the largest batch
}

func (c *collector) Emit(_ context.Context, tag string, events []byte, records int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.maxBatch = max(c.maxBatch, len(events))
	it := record.NewIterator(events)
	n := 0
	for it.Next() {
		js, _, err := record.AppendJSON(nil, it.Event().Body)
		if err != nil {
			panic(err)
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			panic(err)
		}
		c.recs = append(c.recs, got{tag: tag, time: it.Event().Time, body: m})
		n++
	}
	if it.Err() != nil || n != records {
		panic("bad batch")
	}
	return nil
}

// logs returns the "log" field of every record so far.
func (c *collector) logs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.recs {
		out = append(out, fmt.Sprint(r.body["log"]))
	}
	return out
}

func (c *collector) all() []got {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]got(nil), c.recs...)
}

// running is an Input's Run in a goroutine.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, in *Input, c *collector) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ctx, c) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// waitLogs polls until the collector's logs equal want.
func waitLogs(t *testing.T, c *collector, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g := c.logs()
		if strings.Join(g, "|") == strings.Join(want, "|") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("logs:\n got %q\nwant %q", g, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func appendTo(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, l := range lines {
		if _, err := f.WriteString(l); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTailReadsRotatesAndTags(t *testing.T) {
	for _, inotify := range []string{"on", "off"} {
		t.Run("inotify "+inotify, func(t *testing.T) {
			dir := t.TempDir()
			a := filepath.Join(dir, "app.log")
			appendTo(t, a, "one\n", "two\n")
			c := &collector{}
			start(t, newTail(t, nil, "Path", dir+"/*.log", "Tag", "kube.*", "Read_from_Head", "on",
				"Path_Key", "file", "Offset_Key", "offset", "Rotate_Wait", "0.3", "Inotify_Watcher", inotify), c)
			waitLogs(t, c, "one", "two")
			appendTo(t, a, "three\n", "unfinished")
			if err := os.Rename(a, a+".1"); err != nil {
				t.Fatal(err)
			}
			appendTo(t, a, "new\n")
			appendTo(t, a+".1", " line\n") // written late, by the writer still holding the old file
			deadline := time.Now().Add(10 * time.Second)
			for len(c.logs()) < 5 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			// Order across files is not defined; within a file it is.
			recs := c.all()
			byFile := map[string][]string{}
			for _, r := range recs {
				byFile[fmt.Sprint(r.body["file"])] = append(byFile[fmt.Sprint(r.body["file"])], fmt.Sprintf("%v@%v", r.body["log"], r.body["offset"]))
				if want := "kube." + strings.TrimLeft(strings.ReplaceAll(a, "/", "."), "."); r.tag != want {
					t.Errorf("tag %q, want %q", r.tag, want)
				}
			}
			if got := strings.Join(byFile[a], "|"); got != "one@0|two@4|three@8|unfinished line@14|new@0" &&
				got != "one@0|two@4|three@8|new@0|unfinished line@14" {
				t.Errorf("records %q", got)
			}
		})
	}
}

func TestTailFromEndWithoutReadFromHead(t *testing.T) {
	dir := t.TempDir()
	a, db := filepath.Join(dir, "a.log"), filepath.Join(dir, "db")
	appendTo(t, a, "old\n")
	c := &collector{}
	start(t, newTail(t, nil, "Path", a, "DB", db), c)
	// The DB entry is written when the file is first followed: from then
	// on, new lines are read.
	deadline := time.Now().Add(10 * time.Second)
	for fi, err := os.Stat(db); err != nil || fi.Size() == 0; fi, err = os.Stat(db) {
		if time.Now().After(deadline) {
			t.Fatal("file never followed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	appendTo(t, a, "fresh\n")
	waitLogs(t, c, "fresh")
}

func TestTailCopyTruncate(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	appendTo(t, a, "first\n", "second\n")
	c := &collector{}
	start(t, newTail(t, nil, "Path", a, "Read_from_Head", "on"), c)
	waitLogs(t, c, "first", "second")
	if err := os.Truncate(a, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * pollInterval) // the truncation must be seen before the file outgrows its old size
	appendTo(t, a, "after\n")
	waitLogs(t, c, "first", "second", "after")
}

func TestTailDeletedWhileWritten(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	w, err := os.Create(a)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.WriteString("before\n")
	c := &collector{}
	start(t, newTail(t, nil, "Path", a, "Read_from_Head", "on", "Rotate_Wait", "1"), c)
	waitLogs(t, c, "before")
	os.Remove(a)
	w.WriteString("after delete\n")
	waitLogs(t, c, "before", "after delete")
}

func TestTailDBResumesAndFinishesRotated(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	db := filepath.Join(dir, "offsets.db")
	appendTo(t, a, "1\n", "2\n")
	c := &collector{}
	r := start(t, newTail(t, nil, "Path", a, "Read_from_Head", "on", "DB", db), c)
	waitLogs(t, c, "1", "2")
	r.stop(t)

	// Down: more lines, then a rotation, then lines in the new file.
	appendTo(t, a, "3\n", "4\n")
	os.Rename(a, a+".1")
	appendTo(t, a, "5\n")
	c2 := &collector{}
	start(t, newTail(t, nil, "Path", a, "DB", db, "Rotate_Wait", "0.2"), c2)
	deadline := time.Now().Add(10 * time.Second)
	for len(c2.logs()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := c2.logs()
	if s := strings.Join(got, ","); s != "3,4,5" && s != "5,3,4" {
		t.Fatalf("after restart %q, want 3 4 (rotated file from its offset) and 5 (new file from its head)", got)
	}
}

func TestTailDBInodeReuse(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	dbPath := filepath.Join(dir, "offsets.db")
	appendTo(t, a, "a new file that reuses an inode\n")
	fi, _ := os.Stat(a)
	// The DB remembers another file with this inode, read up to 20.
	db, err := openDB(dbPath, syncNormal, false)
	if err != nil {
		t.Fatal(err)
	}
	db.set(idOf(fi), dbEntry{name: a, offset: 20, fp: fingerprint{n: 10, crc: 12345}})
	db.close()
	c := &collector{}
	start(t, newTail(t, nil, "Path", a, "Read_from_Head", "on", "DB", dbPath), c)
	waitLogs(t, c, "a new file that reuses an inode")
}

func TestTailLongAndEmptyLines(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	appendTo(t, a, "short\n", "\n", strings.Repeat("x", 5000)+"\n", "end\n")
	c := &collector{}
	start(t, newTail(t, nil, "Path", a, "Read_from_Head", "on", "Skip_Long_Lines", "on",
		"Skip_Empty_Lines", "on", "Buffer_Max_Size", "4k"), c)
	waitLogs(t, c, "short", "end")
}

func TestTailExcludeAndGlobs(t *testing.T) {
	dir := t.TempDir()
	appendTo(t, filepath.Join(dir, "a.log"), "a\n")
	appendTo(t, filepath.Join(dir, "b.txt"), "b\n")
	appendTo(t, filepath.Join(dir, "c.log.gz"), "c\n")
	appendTo(t, filepath.Join(dir, "skip.log"), "skip\n")
	c := &collector{}
	start(t, newTail(t, nil, "Path", dir+"/*.log, "+dir+"/*.txt", "Path", dir+"/*.gz",
		"Exclude_Path", "skip.*,*.gz", "Read_from_Head", "on"), c)
	deadline := time.Now().Add(10 * time.Second)
	for len(c.logs()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if got := strings.Join(sorted(c.logs()), ","); got != "a,b" {
		t.Fatalf("got %q", got)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestTailMultilineCRIJava(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "c.log")
	appendTo(t, a,
		"2024-05-01T12:00:00.000000001Z stdout F starting\n",
		"2024-05-01T12:00:01.000000001Z stderr P java.lang.IllegalState",
		"\n2024-05-01T12:00:01.000000002Z stderr F Exception: boom\n",
		"2024-05-01T12:00:01.000000003Z stderr F \tat com.example.A.run(A.java:10)\n",
		"2024-05-01T12:00:01.000000004Z stderr F \tat com.example.Main.main(Main.java:5)\n",
		"2024-05-01T12:00:02.000000001Z stderr F next message\n",
	)
	c := &collector{}
	start(t, newTail(t, nil, "Path", a, "Read_from_Head", "on", "multiline.parser", "cri, java"), c)
	waitLogs(t, c, "starting", "java.lang.IllegalStateException: boom\n\tat com.example.A.run(A.java:10)\n\tat com.example.Main.main(Main.java:5)",
		"next message")
	recs := c.all()
	if recs[1].body["stream"] != "stderr" || recs[1].body["_p"] != "F" {
		t.Errorf("record %v", recs[1].body)
	}
	if want := record.FromTime(time.Date(2024, 5, 1, 12, 0, 1, 1, time.UTC)); recs[1].time != want {
		t.Errorf("time %v, want the first line's %v", recs[1].time.Std(), want.Std())
	}
}

func TestTailNewErrors(t *testing.T) {
	tests := []struct {
		kv   []string
		want string
	}{
		{[]string{"Path", "/var/log/[.log"}, "syntax error in pattern"},
		{[]string{"Path", "/x", "multiline.parser", "nope"}, `unknown multiline parser "nope"`},
		{[]string{"Path", "/x", "Exclude_Path", "[a"}, "Exclude_Path"},
		{[]string{"Path", "/x", "Parser", "nope"}, `no parser named "nope"`},
		{[]string{"Path", "/x", "Tag_Regex", "(?=x"}, "Tag_Regex: invalid regular expression: missing closing )"},
	}
	for _, tt := range tests {
		sect := &config.Section{Kind: config.KindInput}
		sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "tail"})
		for i := 0; i+1 < len(tt.kv); i += 2 {
			sect.Params = append(sect.Params, config.Param{Key: tt.kv[i], Value: tt.kv[i+1]})
		}
		spec := Spec()
		cfg, err := plugin.Decode(&spec, sect, "[INPUT] tail")
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(plugin.Settings{ID: "tail.0", Config: cfg})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err %v, want %q", tt.kv, err, tt.want)
		}
	}
}

func TestTailIgnoreOlder(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, "old.log"), filepath.Join(dir, "fresh.log")
	appendTo(t, old, "old\n")
	appendTo(t, fresh, "fresh\n")
	past := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, past, past)
	c := &collector{}
	start(t, newTail(t, nil, "Path", dir+"/*.log", "Read_from_Head", "on", "Ignore_Older", "1h"), c)
	waitLogs(t, c, "fresh")
}

func TestTailUserMultilineParser(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	appendTo(t, a, "2024-05-01 12:00:00 start\n", "  more\n", "  and more\n", "2024-05-01 12:00:01 next\n", "2024-05-01 12:00:02 last\n")
	ml := []config.Section{{Kind: config.KindMultilineParser, Params: []config.Param{
		{Key: "name", Value: "indented"}, {Key: "type", Value: "regex"},
		{Key: "rule", Value: `"start_state" "/^\d{4}-/" "cont"`}, {Key: "rule", Value: `"cont" "/^\s/" "cont"`},
	}}}
	c := &collector{}
	start(t, newTail(t, ml, "Path", a, "Read_from_Head", "on", "multiline.parser", "indented", "Offset_Key", "off"), c)
	waitLogs(t, c, "2024-05-01 12:00:00 start\n  more\n  and more", "2024-05-01 12:00:01 next")
	// The last line waits for flush_timeout (4 s) or its successor.
	appendTo(t, a, "2024-05-01 12:00:03 after\n")
	waitLogs(t, c, "2024-05-01 12:00:00 start\n  more\n  and more", "2024-05-01 12:00:01 next", "2024-05-01 12:00:02 last")
	if off := c.all()[1].body["off"]; off != float64(44) {
		t.Errorf("offset of the second record %v, want 44", off)
	}
}

func TestTailExitOnEOF(t *testing.T) {
	dir := t.TempDir()
	appendTo(t, filepath.Join(dir, "a.log"), "1\n", "2\n", "no newline")
	c := &collector{}
	in := newTail(t, nil, "Path", dir+"/a.log", "Read_from_Head", "on", "Exit_On_Eof", "on")
	if err := in.Run(context.Background(), c); !errors.Is(err, plugin.ErrExit) {
		t.Fatalf("Run = %v, want plugin.ErrExit (Sluice stops, as Fluent Bit does)", err)
	}
	waitLogs(t, c, "1", "2", "no newline")
}

// TestTailBatchesBounded reads a file much larger than a batch from its
// head: every line arrives once, in order, in batches of about batchTarget
// however large the reads grew.
func TestTailBatchesBounded(t *testing.T) {
	dir := t.TempDir()
	var want []string
	var data strings.Builder
	for i := range 20000 {
		line := fmt.Sprintf("%06d %s", i, strings.Repeat("x", 250))
		want = append(want, line)
		data.WriteString(line + "\n")
	}
	appendTo(t, filepath.Join(dir, "a.log"), data.String())
	c := &collector{}
	in := newTail(t, nil, "Path", dir+"/a.log", "Read_from_Head", "on", "Exit_On_Eof", "on", "Buffer_Chunk_Size", "4M")
	if err := in.Run(context.Background(), c); !errors.Is(err, plugin.ErrExit) {
		t.Fatalf("Run = %v, want plugin.ErrExit", err)
	}
	waitLogs(t, c, want...)
	if limit := batchTarget + 300; c.maxBatch > limit {
		t.Errorf("largest batch %d bytes, want at most %d", c.maxBatch, limit)
	}
}

// TestTailEventOverflow checks that lost file events make the next pass a
// rescan of Path over every file.
func TestTailEventOverflow(t *testing.T) {
	st := &runState{in: newTail(t, nil, "Path", "/x")}
	st.watchError(fsnotify.ErrEventOverflow)
	if !st.rescan || !st.full {
		t.Fatalf("rescan %v, full %v after an overflow", st.rescan, st.full)
	}
}

func TestTailParser(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "access.log")
	appendTo(t, a, `10.0.0.1 [2024-05-01T12:00:00Z] "GET /health" 200`+"\n", "not an access line\n")
	parsers := []config.Section{{Kind: config.KindParser, Params: []config.Param{
		{Key: "Name", Value: "access"}, {Key: "Format", Value: "regex"},
		{Key: "Regex", Value: `^(?<remote>\S+) \[(?<time>[^\]]+)\] "(?<method>\S+) (?<path>[^"]+)" (?<code>\d+)$`},
		{Key: "Time_Key", Value: "time"}, {Key: "Time_Format", Value: "%Y-%m-%dT%H:%M:%SZ"},
	}}}
	c := &collector{}
	start(t, newTailParsers(t, nil, parsers, "Path", a, "Read_from_Head", "on", "Parser", "access", "Path_Key", "file"), c)
	deadline := time.Now().Add(10 * time.Second)
	for len(c.all()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	recs := c.all()
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if b := recs[0].body; b["remote"] != "10.0.0.1" || b["path"] != "/health" || b["code"] != "200" || b["file"] != a {
		t.Errorf("parsed record %v", b)
	}
	if want := record.FromTime(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)); recs[0].time != want {
		t.Errorf("time %v, want the parsed %v", recs[0].time.Std(), want.Std())
	}
	if b := recs[1].body; b["log"] != "not an access line" || b["file"] != a {
		t.Errorf("unmatched line %v", b)
	}
}

// TestTailNewNestedDirectory creates a file in directories created after
// start-up under a pattern with wildcard directories: file events on each
// level find it long before Refresh_Interval.
func TestTailNewNestedDirectory(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "pods"), 0o755)
	c := &collector{}
	// Read_from_Head: should Run's first scan come after the file, it
	// finds it there, as it should.
	start(t, newTail(t, nil, "Path", dir+"/pods/*/*/*.log", "Refresh_Interval", "3600", "Read_from_Head", "on"), c)
	pod := filepath.Join(dir, "pods", "ns_web_uid", "nginx")
	os.MkdirAll(pod, 0o755)
	appendTo(t, filepath.Join(pod, "0.log"), "hello\n")
	waitLogs(t, c, "hello")
}

// TestTailRotatedFileClosed checks a rotated file is closed once
// Rotate_Wait is over and its DB entry dropped.
func TestTailRotatedFileClosed(t *testing.T) {
	dir := t.TempDir()
	a, db := filepath.Join(dir, "a.log"), filepath.Join(dir, "db")
	appendTo(t, a, "1\n")
	c := &collector{}
	start(t, newTail(t, nil, "Path", a, "Read_from_Head", "on", "DB", db, "Rotate_Wait", "0.2"), c)
	waitLogs(t, c, "1")
	waitOffset(t, db, a, 2)
	os.Rename(a, a+".1")
	deadline := time.Now().Add(10 * time.Second)
	for dbOffset(t, db, a+".1") != -1 {
		if time.Now().After(deadline) {
			t.Fatal("rotated file's DB entry never dropped")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTailLongLineStopsOneFile checks a line longer than Buffer_Max_Size
// with Skip_Long_Lines off stops that file only.
func TestTailLongLineStopsOneFile(t *testing.T) {
	dir := t.TempDir()
	appendTo(t, filepath.Join(dir, "a.log"), "short\n", strings.Repeat("x", 5000)+"\n", "after\n")
	c := &collector{}
	start(t, newTail(t, nil, "Path", dir+"/*.log", "Read_from_Head", "on", "Buffer_Max_Size", "4k"), c)
	waitLogs(t, c, "short")
	appendTo(t, filepath.Join(dir, "b.log"), "other file\n")
	waitLogs(t, c, "short", "other file")
}

func TestTailDockerMode(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "c-json.log")
	appendTo(t, a,
		`{"log":"split ","stream":"stdout","time":"2024-05-01T12:00:00.000000001Z"}`+"\n",
		`{"log":"line\n","stream":"stdout","time":"2024-05-01T12:00:00.000000002Z"}`+"\n")
	c := &collector{}
	start(t, newTail(t, nil, "Path", a, "Read_from_Head", "on", "Docker_Mode", "on", "Docker_Mode_Flush", "1"), c)
	waitLogs(t, c, "split line")
	if r := c.all()[0]; r.body["stream"] != "stdout" || r.time != record.FromTime(time.Date(2024, 5, 1, 12, 0, 0, 1, time.UTC)) {
		t.Errorf("record %v at %v", r.body, r.time.Std())
	}
}
