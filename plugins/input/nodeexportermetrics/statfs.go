package nodeexportermetrics

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// statfsTimeout bounds how long a scrape waits for statfs(2) of one mount:
// a hung NFS or EFS server blocks the call in the kernel. node_exporter
// waits as long (--collector.filesystem.mount-timeout, 5 s).
const statfsTimeout = 5 * time.Second

var errStuck = errors.New("statfs did not return in time (a hung network filesystem?); skipped until it does")

// mountWatch measures mounts with statfs(2) without letting a hung one
// stall the scrape: a call that outlives statfsTimeout is left to finish
// in its goroutine, and its mount point is reported as a device error
// until it does, without starting another call.
type mountWatch struct {
	statfs  func(path string, st *unix.Statfs_t) error // unix.Statfs; tests block it
	logger  *slog.Logger
	timeout time.Duration // statfsTimeout; tests shorten it
	mu      sync.Mutex
	stuck   map[string]bool
}

func (w *mountWatch) measure(path string) (unix.Statfs_t, error) {
	w.mu.Lock()
	if w.stuck[path] {
		w.mu.Unlock()
		return unix.Statfs_t{}, errStuck
	}
	w.mu.Unlock()
	type result struct {
		st  unix.Statfs_t
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.err = w.statfs(path, &r.st)
		done <- r // first, so a timed-out caller that finds it never marks the mount stuck
		w.mu.Lock()
		if w.stuck[path] {
			delete(w.stuck, path)
			w.logger.Info("filesystem collector: statfs returned; measuring the mount point again", "path", path)
		}
		w.mu.Unlock()
	}()
	timer := time.NewTimer(w.timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.st, r.err
	case <-timer.C:
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case r := <-done:
		return r.st, r.err
	default:
		if w.stuck == nil {
			w.stuck = map[string]bool{}
		}
		w.stuck[path] = true
		w.logger.Warn("filesystem collector: mount point not measured", "path", path, "error", errStuck)
		return unix.Statfs_t{}, errStuck
	}
}
