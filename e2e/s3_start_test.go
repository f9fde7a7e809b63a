package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestS3ResumesAtStartWithoutNewRecords kills sluice (SIGKILL) in the
// middle of a multipart upload; the second run, whose input sends nothing
// at all, completes that upload as soon as it starts (the s3 output's
// plugin.Starter hook), not at its first chunk.
func TestS3ResumesAtStartWithoutNewRecords(t *testing.T) {
	endpoint := s3StartS3rver(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(s3Pipeline, "app", endpoint, filepath.Join(dir, "store"),
		"    upload_timeout  1h\n    total_file_size 100M\n"))
	const n = 6000
	p := start(t, strings.NewReader(s3Lines(0, n, 1000)), "-c", cfg)
	metaGlob := filepath.Join(dir, "store", "s3.0", "*.json")
	eventually(t, 30*time.Second, "a part uploaded and every record buffered", func() bool {
		files, _ := filepath.Glob(metaGlob)
		for _, f := range files {
			if b, _ := os.ReadFile(f); strings.Contains(string(b), `"etag"`) {
				data, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".data")
				return err == nil && bytes.Count(data, []byte("\n")) == n
			}
		}
		return false
	})
	p.cmd.Process.Kill()
	p.wait(10 * time.Second)
	if objs := s3ReadAll(t, endpoint); len(objs) != 0 {
		t.Fatalf("object visible before the upload was completed: %v", objs[0].key)
	}

	// No records at all: stdin is a pipe nobody writes to.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p2 := start(t, r, "-c", cfg)
	r.Close()
	eventually(t, 30*time.Second, "the resumed upload completed with no new record", func() bool {
		left, _ := filepath.Glob(metaGlob)
		return len(left) == 0 && len(s3ReadAll(t, endpoint)) >= 1
	})
	if code := p2.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	checkSequence(t, s3Records(t, s3ReadAll(t, endpoint)), "seq", n)
}
