package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzRecover feeds arbitrary bytes to recovery as the body of a segment
// (after the segment magic): Open must not panic or fail, and every chunk it
// recovers must read back as valid events with the record count it claims.
func FuzzRecover(f *testing.F) {
	// A real segment: two chunks, one delivered to one of its outputs.
	dir := f.TempDir()
	s, _, err := Open(Options{Dir: dir, Name: "seed", Checksum: true})
	if err != nil {
		f.Fatal(err)
	}
	a := s.Create("app", []string{"o1", "o2"})
	ev, n := events(0, 3)
	a.Append(ev, n)
	b := s.Create("sys", []string{"o1"})
	ev, n = events(3, 5)
	b.Append(ev, n)
	a.Done("o1")
	seg := s.active.path
	raw, _ := os.ReadFile(seg)
	s.Close()
	f.Add(raw[len(segmentMagic):])
	f.Add(raw[len(segmentMagic) : len(raw)-5])
	f.Add([]byte{frameMagic0, frameMagic1, byte(frameData), 0, 0xff, 0xff, 0xff, 0x00})
	f.Fuzz(func(t *testing.T, body []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, segmentName(1))
		if err := os.WriteFile(path, append([]byte(segmentMagic), body...), 0o644); err != nil {
			t.Fatal(err)
		}
		s, backlog, err := Open(Options{Dir: dir, Name: "fuzz"})
		if err != nil {
			t.Fatalf("Open failed on a corrupted segment: %v", err)
		}
		defer s.Close()
		for _, c := range backlog {
			data, err := c.Load(nil)
			if err != nil {
				t.Fatalf("recovered chunk does not load: %v", err)
			}
			if got, err := record.Count(data); err != nil || got != c.Records() {
				t.Fatalf("recovered chunk holds %d valid records (%v), claims %d", got, err, c.Records())
			}
		}
	})
}
