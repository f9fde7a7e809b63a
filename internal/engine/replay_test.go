package engine

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/storage"
)

// writeBacklog leaves chunks chunks of per records each, numbered from 0,
// in the store of input feed.0 under dir, routed to sink.0, as a killed
// run would.
func writeBacklog(t *testing.T, dir string, chunks, per int) {
	t.Helper()
	store, _, err := storage.Open(storage.Options{Dir: filepath.Join(dir, "feed.0"), Name: "feed.0"})
	if err != nil {
		t.Fatal(err)
	}
	var b record.Builder
	for i := range chunks {
		b.Reset()
		for n := i * per; n < (i+1)*per; n++ {
			b.BeginEvent(record.Time(int64(n)*1e9), nil)
			b.AppendMapHeader(1)
			b.AppendString("n")
			b.AppendInt(int64(n))
		}
		c := store.Create("app", []string{"sink.0"})
		if err := c.Append(b.Bytes(), b.Records()); err != nil {
			t.Fatal(err)
		}
		if err := c.Seal(); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestBacklogReplayReportsProgress: a backlog of more than 1,000 chunks
// found at start is reported at info level while it replays (chunks and
// bytes of the total, rate) and once when it is done; a small one is
// replayed without a word about progress.
func TestBacklogReplayReportsProgress(t *testing.T) {
	for _, tc := range []struct {
		name   string
		chunks int
		large  bool
	}{{"large", 1200, true}, {"small", 40, false}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			const per = 3
			writeBacklog(t, dir, tc.chunks, per)
			n := tc.chunks * per

			out := &sink{block: make(chan struct{})}
			h := &harness{inputs: map[string]*feed{"a": {batches: make(chan []int)}}, outputs: map[string]*sink{"o": out}}
			var logs syncWriter
			p, err := New(storageModel(dir, []string{"storage.max_chunks_up", "64"}, nil, nil),
				Options{Registry: h.registry(t), Logs: logging.NewFactory(&logs, "text")})
			if err != nil {
				t.Fatal(err)
			}
			p.storage.progress.every = 20 * time.Millisecond
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()

			if tc.large {
				// The output is blocked: the progress reports come
				// anyway, with nothing replayed yet.
				waitFor(t, "a progress report", func() bool { return strings.Contains(logs.String(), "storage: replaying backlog") })
			}
			close(out.block)
			waitFor(t, "replay", func() bool { return len(out.numbers()) >= n })
			if tc.large {
				waitFor(t, "the final report", func() bool { return strings.Contains(logs.String(), "storage: backlog replayed") })
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if missing, dups := lossAndDuplicates(out.numbers(), n); missing != 0 || dups != 0 {
				t.Fatalf("replay: %d missing, %d duplicated", missing, dups)
			}
			text := logs.String()
			progress := regexp.MustCompile(`msg="storage: replaying backlog".*chunks_replayed=(\d+) chunks_total=(\d+) bytes_replayed=\d+ bytes_total=(\d+) percent=\S+ chunks_per_second=\S+ bytes_per_second=\d+`).FindAllStringSubmatch(text, -1)
			if !tc.large {
				if len(progress) != 0 || strings.Contains(text, "backlog replayed") || strings.Contains(text, "large backlog") {
					t.Fatalf("a backlog of %d chunks was reported:\n%s", tc.chunks, text)
				}
				return
			}
			if len(progress) == 0 {
				t.Fatalf("no progress report with totals and rates:\n%s", text)
			}
			for _, m := range progress {
				if m[2] != "1200" || m[3] == "0" || !strings.Contains(m[0], "name=feed.0") {
					t.Fatalf("progress report %q: want chunks_total=1200 and the input", m[0])
				}
			}
			if !strings.Contains(text, "storage: replaying a large backlog") {
				t.Errorf("the backlog's size was not announced at start:\n%s", text)
			}
			if c := strings.Count(text, "storage: backlog replayed"); c != 1 {
				t.Errorf("%d final reports, want 1:\n%s", c, text)
			}
		})
	}
}
