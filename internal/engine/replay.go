package engine

import (
	"context"
	"slices"
	"time"

	"github.com/sluice-logs/sluice/internal/storage"
)

// Backlog replay progress: a filesystem input that starts with a large
// backlog on disk (a previous run's undelivered chunks) reports, at info
// level, how much of it the outputs have delivered, every
// replayProgressEvery, and once when it is all delivered. A small backlog
// is replayed silently: storage.Open already logged what it found.
const (
	replayProgressChunks = 1000     // a backlog of more chunks than this is large
	replayProgressBytes  = 64 << 20 // so is one of more bytes
	replayProgressEvery  = 10 * time.Second
)

// replayProgress is the replay of one input's large backlog.
type replayProgress struct {
	input   *inputRunner
	pending []*storage.Chunk // not yet complete, oldest first
	sizes   []int64          // of pending, as found at start

	chunks, bytes int64 // the backlog's totals
	doneChunks    int64
	doneBytes     int64
	started       time.Time
	last          time.Time // of the previous report
	lastChunks    int64
	lastBytes     int64
}

// trackReplay starts tracking the backlog r found at start when it is
// large, and logs its size.
func (b *bufferStorage) trackReplay(r *inputRunner, backlog []*storage.Chunk, now time.Time) {
	rp := &replayProgress{input: r, pending: slices.Clone(backlog), sizes: make([]int64, len(backlog)), started: now, last: now}
	for i, c := range backlog {
		rp.sizes[i] = c.Size()
		rp.bytes += rp.sizes[i]
	}
	rp.chunks = int64(len(backlog))
	if rp.chunks <= b.progress.chunks && rp.bytes <= b.progress.bytes {
		return
	}
	r.logger.Info("storage: replaying a large backlog left by a previous run; progress is reported every "+b.progress.every.String(),
		"chunks", rp.chunks, "bytes", rp.bytes)
	b.replays = append(b.replays, rp)
}

// update forgets the chunks completed since the last call and reports
// whether the whole backlog is done.
func (rp *replayProgress) update() bool {
	keep := rp.pending[:0]
	sizes := rp.sizes[:0]
	for i, c := range rp.pending {
		if c.Complete() {
			rp.doneChunks++
			rp.doneBytes += rp.sizes[i]
			continue
		}
		keep = append(keep, c)
		sizes = append(sizes, rp.sizes[i])
	}
	clear(rp.pending[len(keep):])
	rp.pending, rp.sizes = keep, sizes
	return len(rp.pending) == 0
}

// report logs the progress since the last report.
func (rp *replayProgress) report(now time.Time) {
	interval := now.Sub(rp.last).Seconds()
	if interval <= 0 {
		interval = 1e-9
	}
	chunkRate := float64(rp.doneChunks-rp.lastChunks) / interval
	byteRate := float64(rp.doneBytes-rp.lastBytes) / interval
	attrs := []any{"chunks_replayed", rp.doneChunks, "chunks_total", rp.chunks,
		"bytes_replayed", rp.doneBytes, "bytes_total", rp.bytes,
		"percent", percent(rp.doneBytes, rp.bytes, rp.doneChunks, rp.chunks),
		"chunks_per_second", round1(chunkRate), "bytes_per_second", int64(byteRate)}
	if avg := float64(rp.doneBytes) / now.Sub(rp.started).Seconds(); avg > 0 {
		attrs = append(attrs, "eta", (time.Duration(float64(rp.bytes-rp.doneBytes) / avg * float64(time.Second))).Round(time.Second))
	}
	rp.input.logger.Info("storage: replaying backlog", attrs...)
	rp.last, rp.lastChunks, rp.lastBytes = now, rp.doneChunks, rp.doneBytes
}

// percent is the share of the backlog replayed, by bytes (by chunks for a
// backlog of empty chunks), to one decimal.
func percent(doneBytes, bytes, doneChunks, chunks int64) float64 {
	if bytes > 0 {
		return round1(100 * float64(doneBytes) / float64(bytes))
	}
	if chunks > 0 {
		return round1(100 * float64(doneChunks) / float64(chunks))
	}
	return 100
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// reportReplay is the goroutine that reports backlog replay progress,
// beside the backlog loader, until every tracked backlog is done or ctx
// ends (shutdown: what is left stays on disk, and is said so).
func (p *Pipeline) reportReplay(ctx context.Context) {
	b := p.storage
	if len(b.replays) == 0 {
		return
	}
	ticker := time.NewTicker(b.progress.every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			for _, rp := range b.replays {
				rp.update()
				rp.input.logger.Info("storage: shutting down before the backlog was replayed; what is not delivered within Grace stays on disk for the next start",
					"chunks_replayed", rp.doneChunks, "chunks_total", rp.chunks, "bytes_replayed", rp.doneBytes, "bytes_total", rp.bytes)
			}
			return
		case now := <-ticker.C:
			active := b.replays[:0]
			for _, rp := range b.replays {
				if rp.update() {
					elapsed := now.Sub(rp.started)
					rp.input.logger.Info("storage: backlog replayed", "chunks", rp.chunks, "bytes", rp.bytes,
						"took", elapsed.Round(time.Millisecond),
						"bytes_per_second", int64(float64(rp.bytes)/max(elapsed.Seconds(), 1e-9)))
					continue
				}
				rp.report(now)
				active = append(active, rp)
			}
			clear(b.replays[len(active):])
			b.replays = active
			if len(active) == 0 {
				return
			}
		}
	}
}
