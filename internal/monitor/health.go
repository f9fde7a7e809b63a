package monitor

import (
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"time"
)

// healthWindow answers "how many output errors and retry failures happened
// within the last period?" from cumulative counters. Like Fluent Bit
// (src/http_server/api/v1/health.c), it keeps timestamped samples of the
// totals and subtracts the oldest sample still inside the period from the
// current totals; samples that leave the period are forgotten.
//
// The current totals are read live when asked, so an error counts the moment
// it happens; the sampling interval only bounds how late an old error leaves
// the window (by at most one interval).
type healthWindow struct {
	period time.Duration
	totals func() (errors, retryFailures uint64)

	mu      sync.Mutex
	samples []healthSample // oldest first
}

type healthSample struct {
	at                    time.Time
	errors, retryFailures uint64
}

// newHealthWindow keeps samples of errors() and retryFailures() for period.
func newHealthWindow(period time.Duration, errors, retryFailures func() uint64) *healthWindow {
	return &healthWindow{period: period, totals: func() (uint64, uint64) { return errors(), retryFailures() }}
}

// sampleInterval is how often the server samples the totals for a period:
// once a second, coarser for periods over 1000 s so the window holds at most
// about 1000 samples (1 day: one per 86 s), finer for sub-second periods.
func sampleInterval(period time.Duration) time.Duration {
	return max(period/1000, min(time.Second, period/2))
}

// sample records the totals at now and forgets samples that left the period,
// always keeping the newest one.
func (h *healthWindow) sample(now time.Time) {
	errs, failures := h.totals()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.samples = append(h.samples, healthSample{at: now, errors: errs, retryFailures: failures})
	keepFrom := sort.Search(len(h.samples)-1, func(i int) bool { return !h.samples[i].at.Before(now.Add(-h.period)) })
	if keepFrom > 0 {
		h.samples = append(h.samples[:0], h.samples[keepFrom:]...)
	}
}

// inPeriod returns the errors and retry failures counted within the period
// ending at now.
func (h *healthWindow) inPeriod(now time.Time) (errors, retryFailures uint64) {
	curErrs, curFailures := h.totals()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.samples) == 0 {
		return 0, 0
	}
	// The oldest sample inside the period is the baseline; if the sampler
	// has fallen behind and none is inside, the newest one is the closest.
	i := sort.Search(len(h.samples), func(i int) bool { return !h.samples[i].at.Before(now.Add(-h.period)) })
	i = min(i, len(h.samples)-1)
	base := h.samples[i]
	return since(curErrs, base.errors), since(curFailures, base.retryFailures)
}

// since is cur-base for a cumulative counter; a counter that went backwards
// was reset (a new registry), so everything it holds is new.
func since(cur, base uint64) uint64 {
	if cur < base {
		return cur
	}
	return cur - base
}

// healthy applies Fluent Bit's rule: unhealthy when the errors or the retry
// failures within the period exceed (not reach) their limits.
func (h *healthWindow) healthy(now time.Time, maxErrors, maxRetryFailures uint64) bool {
	errs, failures := h.inPeriod(now)
	return errs <= maxErrors && failures <= maxRetryFailures
}

// serveHealth answers /api/v1/health as Fluent Bit does: 200 "ok\n" or 500
// "error\n" in plain text. Fluent Bit registers the path only when
// Health_Check is on; Sluice answers "ok" when it is off, so a liveness probe
// on this path works whatever the setting.
func (s *Server) serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !s.cfg.HealthCheck || s.health.healthy(s.clock(), s.cfg.HCErrorsCount, s.cfg.HCRetryFailureCount) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok\n"))
		return
	}
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("error\n"))
}

// healthDetail is the body of /api/v1/health/detail: the verdict of
// /api/v1/health with what it is made of, and the router's own permission
// problems, so an operator (or `sluice health`) sees an AccessDenied
// plainly instead of a generic error count.
type healthDetail struct {
	Status         string         `json:"status"` // "ok" or "error", as /api/v1/health answers
	HealthCheck    bool           `json:"health_check"`
	PeriodSeconds  float64        `json:"period_seconds"`
	Errors         uint64         `json:"errors_in_period"`
	RetryFailures  uint64         `json:"retry_failures_in_period"`
	MaxErrors      uint64         `json:"hc_errors_count"`
	MaxRetryFails  uint64         `json:"hc_retry_failure_count"`
	AccessDenied   []deniedOutput `json:"access_denied"`
	DroppedRecords uint64         `json:"dropped_records_total"`
}

// deniedOutput is an output whose credentials were refused.
type deniedOutput struct {
	Output string    `json:"output"`
	Count  uint64    `json:"count"`
	Last   string    `json:"last_error"`
	LastAt time.Time `json:"last_at"`
}

// serveHealthDetail answers /api/v1/health/detail in JSON, with the same
// status code as /api/v1/health.
func (s *Server) serveHealthDetail(w http.ResponseWriter, _ *http.Request) {
	now := s.clock()
	errs, failures := s.health.inPeriod(now)
	d := healthDetail{Status: "ok", HealthCheck: s.cfg.HealthCheck, PeriodSeconds: s.cfg.HCPeriod.Seconds(),
		Errors: errs, RetryFailures: failures, MaxErrors: s.cfg.HCErrorsCount, MaxRetryFails: s.cfg.HCRetryFailureCount,
		AccessDenied: []deniedOutput{}}
	code := http.StatusOK
	if s.cfg.HealthCheck && !s.health.healthy(now, s.cfg.HCErrorsCount, s.cfg.HCRetryFailureCount) {
		d.Status, code = "error", http.StatusInternalServerError
	}
	for _, o := range s.registry.Outputs() {
		d.DroppedRecords += o.DroppedRecords.Load()
		if n := o.AccessDenied.Load(); n > 0 {
			msg, at := o.LastDeniedAt()
			d.AccessDenied = append(d.AccessDenied, deniedOutput{Output: o.Name, Count: n, Last: msg, LastAt: at.UTC()})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(d)
}
