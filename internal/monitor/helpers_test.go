package monitor

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
)

// fakeClock is a settable clock for uptime and the health window.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// startServer starts s's server on 127.0.0.1 with a free port and a clock
// that tests set; the health sampler's ticker is slowed to an hour so that
// only the test takes samples. The server is shut down when the test ends.
func startServer(t *testing.T, cfg Config, reg *metrics.Registry) (*Server, *fakeClock, string) {
	t.Helper()
	cfg.Listen, cfg.Port = "127.0.0.1", 0
	s := New(cfg, reg, nil)
	clock := &fakeClock{now: reg.Start()}
	s.clock, s.sampleEvery = clock.Now, time.Hour
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s, clock, "http://" + s.Addr().String()
}

// do sends a request without keep-alive and returns the response and its body.
func do(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}
