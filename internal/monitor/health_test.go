package monitor

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
)

var t0 = time.Unix(1_700_000_000, 0)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

// TestHealthWindow drives the window with explicit samples: each sample
// records the totals at its time, then the window is asked at query time
// with the current totals. Limits are 5 errors and 5 retry failures within
// 60 seconds.
func TestHealthWindow(t *testing.T) {
	type sample struct{ sec, errors, failures int }
	tests := []struct {
		name                string
		samples             []sample
		query               int // seconds after t0
		errors, failures    int // current totals
		wantErrs, wantFails uint64
		healthy             bool
	}{
		{"no samples yet", nil, 0, 9, 9, 0, 0, true},
		{"errors at the limit", []sample{{0, 0, 0}}, 10, 5, 0, 5, 0, true},
		{"errors over the limit", []sample{{0, 0, 0}}, 10, 6, 0, 6, 0, false},
		{"retry failures over the limit", []sample{{0, 0, 0}}, 10, 0, 6, 0, 6, false},
		{"errors counted before the next sample", []sample{{0, 0, 0}, {1, 0, 0}}, 1, 6, 0, 6, 0, false},
		{"old errors leave the window", []sample{{0, 0, 0}, {10, 50, 0}, {70, 50, 0}}, 75, 50, 0, 0, 0, true},
		{"old errors leave, new ones count", []sample{{0, 0, 0}, {10, 50, 0}, {70, 50, 0}}, 75, 53, 0, 3, 0, true},
		{"errors still inside the window", []sample{{0, 0, 0}, {10, 0, 0}, {20, 6, 0}}, 65, 6, 0, 6, 0, false},
		{"sampler behind: newest sample is the baseline", []sample{{0, 2, 0}}, 500, 4, 0, 2, 0, true},
		{"counter reset counts from zero", []sample{{0, 10, 10}}, 10, 2, 1, 2, 1, true},
	}
	for _, tt := range tests {
		var errs, fails uint64
		h := newHealthWindow(60*time.Second, func() uint64 { return errs }, func() uint64 { return fails })
		for _, s := range tt.samples {
			errs, fails = uint64(s.errors), uint64(s.failures)
			h.sample(at(s.sec))
		}
		errs, fails = uint64(tt.errors), uint64(tt.failures)
		gotErrs, gotFails := h.inPeriod(at(tt.query))
		if gotErrs != tt.wantErrs || gotFails != tt.wantFails {
			t.Errorf("%s: in period %d errors, %d retry failures; want %d, %d", tt.name, gotErrs, gotFails, tt.wantErrs, tt.wantFails)
		}
		if got := h.healthy(at(tt.query), 5, 5); got != tt.healthy {
			t.Errorf("%s: healthy = %v, want %v", tt.name, got, tt.healthy)
		}
	}
}

func TestHealthWindowForgetsOldSamples(t *testing.T) {
	h := newHealthWindow(60*time.Second, func() uint64 { return 0 }, func() uint64 { return 0 })
	for sec := range 1000 {
		h.sample(at(sec))
	}
	if n := len(h.samples); n != 61 {
		t.Errorf("%d samples kept for a 60 s period sampled every second, want 61", n)
	}
	if first := h.samples[0].at; !first.Equal(at(999 - 60)) {
		t.Errorf("oldest kept sample at %v, want %v", first, at(999-60))
	}
}

func TestSampleInterval(t *testing.T) {
	for period, want := range map[time.Duration]time.Duration{
		60 * time.Second:       time.Second,
		5 * time.Second:        time.Second,
		500 * time.Millisecond: 250 * time.Millisecond,
		24 * time.Hour:         86400 * time.Millisecond,
	} {
		if got := sampleInterval(period); got != want {
			t.Errorf("sampleInterval(%v) = %v, want %v", period, got, want)
		}
	}
}

// TestHealthEndpoint walks /api/v1/health through time with an injected
// clock, sampling once a simulated second as the server's ticker does: ok,
// over the error limit, ok again as the errors age out of HC_Period, then
// over the retry-failure limit and back.
func TestHealthEndpoint(t *testing.T) {
	reg := metrics.NewRegistry()
	out := reg.NewOutput("http.0", "http")
	s, clock, base := startServer(t, Config{
		HealthCheck: true, HCErrorsCount: 5, HCRetryFailureCount: 5, HCPeriod: 60 * time.Second,
	}, reg) // Start took the first sample, at second 0
	start := reg.Start()
	steps := []struct {
		sec              int
		errors, failures uint64 // added at this second, before the request
		status           int
		body             string
	}{
		{5, 3, 0, 200, "ok\n"},     // 3 errors within 60 s
		{10, 3, 0, 500, "error\n"}, // 6
		{64, 0, 0, 500, "error\n"}, // both bursts inside (4 s, 64 s]
		{66, 0, 0, 200, "ok\n"},    // the burst at 5 s left the window; 3 remain
		{71, 0, 0, 200, "ok\n"},    // none remain
		{80, 0, 6, 500, "error\n"}, // 6 retry failures
		{139, 0, 0, 500, "error\n"},
		{141, 1, 0, 200, "ok\n"}, // the failures left; 1 new error
	}
	last := 0
	for _, st := range steps {
		for sec := last + 1; sec < st.sec; sec++ { // ticks with nothing new
			s.health.sample(start.Add(time.Duration(sec) * time.Second))
		}
		now := start.Add(time.Duration(st.sec) * time.Second)
		clock.Set(now)
		out.Errors.Add(st.errors)
		out.RetriesFailed.Add(st.failures)
		resp, body := do(t, "GET", base+"/api/v1/health")
		if resp.StatusCode != st.status || body != st.body {
			e, f := s.health.inPeriod(now)
			t.Errorf("t=%ds: %d %q, want %d %q (window: %d errors, %d retry failures)", st.sec, resp.StatusCode, body, st.status, st.body, e, f)
		}
		s.health.sample(now)
		last = st.sec
	}
}

func TestHealthCheckOffIsAlwaysOK(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.NewOutput("http.0", "http").Errors.Add(1000)
	_, _, base := startServer(t, Config{HealthCheck: false, HCErrorsCount: 0}, reg)
	if resp, body := do(t, "GET", base+"/api/v1/health"); resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
}

// The detail names the outputs whose credentials were refused, with the
// last message, and carries /api/v1/health's verdict and status code.
func TestHealthDetail(t *testing.T) {
	reg := metrics.NewRegistry()
	cw := reg.NewOutput("cloudwatch_logs.0", "cloudwatch_logs")
	reg.NewOutput("null.0", "null")
	_, clock, base := startServer(t, Config{HealthCheck: true, HCErrorsCount: 1, HCRetryFailureCount: 5, HCPeriod: 60 * time.Second}, reg)
	clock.Set(reg.Start().Add(time.Second))
	get := func() (int, healthDetail) {
		t.Helper()
		resp, body := do(t, "GET", base+"/api/v1/health/detail")
		var d healthDetail
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		return resp.StatusCode, d
	}
	if code, d := get(); code != 200 || d.Status != "ok" || len(d.AccessDenied) != 0 {
		t.Errorf("healthy: %d %+v", code, d)
	}
	for range 2 {
		cw.Errors.Add(1)
		cw.Denied("output cloudwatch_logs.0: AWS denied logs:PutLogEvents on arn:aws:logs:x (AccessDeniedException)")
	}
	cw.Drop("retry_limit", 3)
	code, d := get()
	if code != 500 || d.Status != "error" || d.Errors != 2 || d.DroppedRecords != 3 {
		t.Errorf("unhealthy: %d %+v", code, d)
	}
	if len(d.AccessDenied) != 1 || d.AccessDenied[0].Output != "cloudwatch_logs.0" || d.AccessDenied[0].Count != 2 ||
		!strings.Contains(d.AccessDenied[0].Last, "logs:PutLogEvents") || d.AccessDenied[0].LastAt.IsZero() {
		t.Errorf("access denied %+v", d.AccessDenied)
	}
}
