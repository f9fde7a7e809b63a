package systemd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/journal/journaltest"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func TestMatcher(t *testing.T) {
	kubelet := [][]byte{[]byte("_SYSTEMD_UNIT=kubelet.service"), []byte("PRIORITY=6")}
	docker := [][]byte{[]byte("_SYSTEMD_UNIT=docker.service"), []byte("PRIORITY=3")}
	for _, tc := range []struct {
		name    string
		filters []string
		and     bool
		want    [2]bool // kubelet, docker
	}{
		{"none", nil, false, [2]bool{true, true}},
		{"or one", []string{"_SYSTEMD_UNIT=kubelet.service"}, false, [2]bool{true, false}},
		{"or two values", []string{"_SYSTEMD_UNIT=kubelet.service", "_SYSTEMD_UNIT=docker.service"}, false, [2]bool{true, true}},
		{"or two fields", []string{"_SYSTEMD_UNIT=kubelet.service", "PRIORITY=3"}, false, [2]bool{true, true}},
		{"and two fields", []string{"_SYSTEMD_UNIT=kubelet.service", "PRIORITY=3"}, true, [2]bool{false, false}},
		{"and same field ORs", []string{"_SYSTEMD_UNIT=kubelet.service", "_SYSTEMD_UNIT=docker.service", "PRIORITY=3"}, true, [2]bool{false, true}},
		{"value is whole", []string{"_SYSTEMD_UNIT=kubelet"}, false, [2]bool{false, false}},
	} {
		m, err := newMatcher(tc.filters, tc.and)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]bool{m.match(kubelet), m.match(docker)}; got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := newMatcher([]string{"no-equals"}, false); err == nil || !strings.Contains(err.Error(), "FIELD=VALUE") {
		t.Errorf("bad filter: %v", err)
	}
}

func writeEntries(t *testing.T, path string, from, n int) {
	t.Helper()
	var es []journaltest.ExportEntry
	for i := from; i < from+n; i++ {
		es = append(es, journaltest.ExportEntry{Realtime: 1700000000000000 + uint64(i)*1000000, Monotonic: uint64(i + 1),
			BootID: "0123456789abcdef0123456789abcdef",
			Fields: [][2]string{{"MESSAGE", fmt.Sprintf("m%d", i)}, {"SEQ", strconv.Itoa(i)},
				{"_SYSTEMD_UNIT", []string{"kubelet.service", "containerd.service"}[i%2]}}})
	}
	if err := journaltest.WriteWithRemote(path, es); err != nil {
		t.Fatal(err)
	}
}

// ackCollector is an AckEmitter that acknowledges every batch at once.
type ackCollector struct {
	plugintest.Collector
	mu    sync.Mutex
	acked int
}

func (a *ackCollector) EmitWithAck(ctx context.Context, tag string, events []byte, n int, ack func(bool)) error {
	if err := a.Emit(ctx, tag, events, n); err != nil {
		return err
	}
	a.mu.Lock()
	a.acked += n
	a.mu.Unlock()
	ack(true)
	return nil
}

// run starts the input and returns a stop function that waits for Run and
// calls Close, as the engine does.
func run(t *testing.T, em interface {
	Emit(context.Context, string, []byte, int) error
}, kv ...string) func() {
	t.Helper()
	tag := ""
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "Tag" { // a common parameter the engine decodes
			tag = kv[i+1]
			kv = append(kv[:i:i], kv[i+2:]...)
			break
		}
	}
	s := plugintest.Settings(t, Spec(), kv...)
	if tag != "" {
		s.Tag = tag
	}
	in, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, em) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		in.Close(context.Background())
	}
}

func TestRecordShapeAndTag(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	writeEntries(t, filepath.Join(dir, "system.journal"), 0, 4)
	var c plugintest.Collector
	stop := run(t, &c, "Path", dir, "Tag", "host.*", "Strip_Underscores", "on", "Lowercase", "on")
	recs := c.WaitFor(t, 4)
	stop()
	if want := `{"boot_id":"0123456789abcdef0123456789abcdef","message":"m0","seq":"0","systemd_unit":"kubelet.service"}`; recs[0] != want {
		t.Errorf("record %s\nwant     %s", recs[0], want)
	}
	// One batch per tag and round: records of one unit stay in order.
	for i, tag := range c.Tags() {
		if !strings.Contains(recs[i], `"systemd_unit":"`+strings.TrimPrefix(tag, "host.")+`"`) {
			t.Errorf("record %s has tag %s", recs[i], tag)
		}
	}
}

func TestMaxFieldsAndFilter(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	writeEntries(t, filepath.Join(dir, "system.journal"), 0, 10)
	var c plugintest.Collector
	stop := run(t, &c, "Path", dir, "Max_Fields", "2", "Systemd_Filter", "_SYSTEMD_UNIT=containerd.service", "Max_Entries", "2")
	recs := c.WaitFor(t, 5)
	stop()
	// Fields come in the order of their DATA objects in the file, as
	// journalctl prints them; Max_Fields keeps the first two.
	if len(recs) != 5 || recs[0] != `{"_BOOT_ID":"0123456789abcdef0123456789abcdef","MESSAGE":"m1"}` {
		t.Errorf("records %q", recs)
	}
	for _, r := range recs {
		if strings.Count(r, ":") != 2 || strings.Contains(r, "kubelet") {
			t.Errorf("record %s: want 2 fields, containerd only", r)
		}
	}
}

// TestDBResume reads, stops, appends and starts again: every entry arrives
// exactly once across the two runs.
func TestDBResume(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	jf := filepath.Join(dir, "system.journal")
	db := filepath.Join(t.TempDir(), "systemd.db")
	writeEntries(t, jf, 0, 30)
	var first ackCollector
	stop := run(t, &first, "Path", dir, "DB", db, "Max_Entries", "7")
	first.WaitFor(t, 30)
	stop()
	cur, err := os.ReadFile(db)
	if err != nil || !strings.Contains(string(cur), ";i=1e;") {
		t.Fatalf("DB after 30 entries: %q %v", cur, err)
	}
	writeEntries(t, jf, 30, 20)
	var second ackCollector
	stop = run(t, &second, "Path", dir, "DB", db)
	recs := second.WaitFor(t, 20)
	stop()
	seen := map[string]int{}
	for _, r := range append(first.Records(), recs...) {
		seen[r]++
	}
	if len(seen) != 50 || len(recs) != 20 {
		t.Fatalf("%d distinct records over two runs, second run %d: want 50 and 20", len(seen), len(recs))
	}
	if !strings.Contains(recs[0], `"SEQ":"30"`) {
		t.Errorf("second run starts at %s", recs[0])
	}
}

// rawCollector keeps "unix-seconds body" per record and the tags.
type rawCollector struct {
	t    *testing.T
	mu   sync.Mutex
	recs []string
	tags []string
}

func (c *rawCollector) Emit(_ context.Context, tag string, events []byte, _ int) error {
	lines := plugintest.Render(c.t, events)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, lines...)
	for range lines {
		c.tags = append(c.tags, tag)
	}
	return nil
}

func (c *rawCollector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.recs)
}

// TestTimeAndUnknownUnit: the record's time is the entry's
// __REALTIME_TIMESTAMP, and '*' in Tag becomes "unknown" for an entry
// without _SYSTEMD_UNIT.
func TestTimeAndUnknownUnit(t *testing.T) {
	journaltest.NeedRemote(t)
	dir := t.TempDir()
	es := []journaltest.ExportEntry{{Realtime: 1700000123456789, Monotonic: 1, BootID: "0123456789abcdef0123456789abcdef",
		Fields: [][2]string{{"MESSAGE", "kernel says hi"}, {"_TRANSPORT", "kernel"}}}}
	if err := journaltest.WriteWithRemote(filepath.Join(dir, "system.journal"), es); err != nil {
		t.Fatal(err)
	}
	c := &rawCollector{t: t}
	stop := run(t, c, "Path", dir, "Tag", "host.*.logs")
	for i := 0; i < 1000 && c.len() == 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if c.len() != 1 {
		t.Fatalf("%d records", c.len())
	}
	if want := "1700000123 "; !strings.HasPrefix(c.recs[0], want) || c.tags[0] != "host.unknown.logs" {
		t.Errorf("record %q tag %q", c.recs[0], c.tags[0])
	}
}
