package journal_test

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/sluice-logs/sluice/internal/journal"
	"github.com/sluice-logs/sluice/internal/journal/journaltest"
)

// BenchmarkReadEntries reads a real journal file of 20,000 entries (Debian
// systemd-journal-remote: compact layout, ZSTD for the large fields) from
// start to end; the reported ns/op and allocs/op are per entry.
func BenchmarkReadEntries(b *testing.B) {
	journaltest.NeedRemote(b)
	dir := b.TempDir()
	const n = 20000
	if err := journaltest.WriteWithRemote(filepath.Join(dir, "system.journal"), entries(0, n)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	read := 0
	for read < b.N {
		d := journal.OpenDir(nil, dir)
		if err := d.Scan(); err != nil {
			b.Fatal(err)
		}
		for read < b.N {
			_, _, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			read++
		}
		d.Close()
	}
}
