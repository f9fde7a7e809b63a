package systemd

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sluice-logs/sluice/internal/journal"
	"github.com/sluice-logs/sluice/internal/journal/journaltest"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

type counter struct{ n int }

func (c *counter) Emit(_ context.Context, _ string, _ []byte, n int) error { c.n += n; return nil }

// BenchmarkRound reads a real journal file of 20,000 entries and encodes
// them as records, in rounds of Max_Entries, with Tag host.* (a tag per
// unit); ns/op and allocs/op are per entry.
func BenchmarkRound(b *testing.B) {
	journaltest.NeedRemote(b)
	dir := b.TempDir()
	var es []journaltest.ExportEntry
	for i := 0; i < 20000; i++ {
		es = append(es, journaltest.ExportEntry{Realtime: 1700000000000000 + uint64(i), Monotonic: uint64(i + 1),
			BootID: "0123456789abcdef0123456789abcdef",
			Fields: [][2]string{{"MESSAGE", "I1201 09:00:00.000000    1234 kubelet.go:2345] SyncLoop (PLEG): event for pod"},
				{"PRIORITY", "6"}, {"SYSLOG_IDENTIFIER", "kubelet"}, {"_PID", "1234"}, {"_COMM", "kubelet"},
				{"_SYSTEMD_UNIT", []string{"kubelet.service", "containerd.service"}[i%2]}, {"_HOSTNAME", "ip-10-0-0-1"}}})
	}
	if err := journaltest.WriteWithRemote(filepath.Join(dir, "system.journal"), es); err != nil {
		b.Fatal(err)
	}
	s := plugintest.Settings(b, Spec(), "Path", dir)
	s.Tag = "host.*"
	in, err := New(s)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	c := &counter{}
	for c.n < b.N {
		r := reader{in: in, dir: journal.OpenDir(nil, dir), batches: map[string]*record.Builder{}}
		r.dir.Scan()
		for c.n < b.N {
			more, err := r.round(context.Background(), c, nil)
			if err != nil {
				b.Fatal(err)
			}
			if !more {
				break
			}
		}
		r.dir.Close()
	}
}
