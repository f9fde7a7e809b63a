package nodeexportermetrics

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestMountWatchHungMount: a statfs that does not return is given up on
// after the timeout, not called again while it hangs, and the mount is
// measured again once it returns.
func TestMountWatchHungMount(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	w := &mountWatch{logger: slog.New(slog.DiscardHandler), timeout: 20 * time.Millisecond,
		statfs: func(path string, st *unix.Statfs_t) error {
			calls.Add(1)
			if path == "/hung" {
				<-release
			}
			st.Blocks = 7
			return nil
		}}
	if _, err := w.measure("/hung"); !errors.Is(err, errStuck) {
		t.Fatalf("err = %v, want errStuck", err)
	}
	if _, err := w.measure("/hung"); !errors.Is(err, errStuck) || calls.Load() != 1 {
		t.Fatalf("second measure: err %v after %d calls, want errStuck without a new call", err, calls.Load())
	}
	if st, err := w.measure("/ok"); err != nil || st.Blocks != 7 {
		t.Fatalf("another mount: %v %v", st, err)
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := w.measure("/hung")
		if err == nil && st.Blocks == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mount was never measured again: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
