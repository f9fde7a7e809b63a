// Package monitor is Sluice's built-in HTTP monitoring server. It answers on
// Fluent Bit's paths with Fluent Bit's response shapes ([SERVICE]
// HTTP_Server, HTTP_Listen, HTTP_Port, Health_Check, HC_*), so health probes,
// dashboards and Prometheus scrapers written for Fluent Bit work unchanged;
// Sluice's own metrics are added under the sluice_ prefix.
//
// The server only reads the engine's counters (package metrics); it never
// touches the data path.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
)

// Config is the part of [SERVICE] that configures the server. The config
// layer applies Fluent Bit's defaults (see DefaultConfig); New only fills in
// what has no meaningful zero value.
type Config struct {
	Listen string // HTTP_Listen; "" means 0.0.0.0
	Port   int    // HTTP_Port; 0 lets the kernel pick a free port (tests)

	// HealthCheck (Health_Check) makes /api/v1/health answer 500 "error"
	// when, within the last HCPeriod, the outputs' failed flushes exceed
	// HCErrorsCount or their abandoned chunks exceed HCRetryFailureCount.
	// Off, the endpoint always answers 200 "ok".
	HealthCheck         bool
	HCErrorsCount       uint64        // HC_Errors_Count
	HCRetryFailureCount uint64        // HC_Retry_Failure_Count
	HCPeriod            time.Duration // HC_Period; <= 0 means 60s

	// Version, Commit and Flags describe the build on "/" and in
	// fluentbit_build_info / sluice_build_info.
	Version, Commit string
	Flags           []string

	// StorageMetrics ([SERVICE] storage.metrics) serves /api/v1/storage.
	StorageMetrics bool
}

// DefaultConfig returns Fluent Bit's defaults: 0.0.0.0:2020, health check
// off, 5 errors, 5 retry failures, a 60 second period.
func DefaultConfig() Config {
	return Config{Listen: "0.0.0.0", Port: 2020, HCErrorsCount: 5, HCRetryFailureCount: 5, HCPeriod: 60 * time.Second}
}

// Server serves the monitoring API for one metrics.Registry. It is started
// once with Start and stopped once with Shutdown, which also stops the
// goroutines it started.
type Server struct {
	cfg      Config
	registry *metrics.Registry
	logger   *slog.Logger
	mux      *http.ServeMux
	hostname string

	// clock and sampleEvery are fields, not constants, so tests can drive
	// uptime and the health window without waiting.
	clock       func() time.Time
	sampleEvery time.Duration
	health      *healthWindow

	mu       sync.Mutex
	started  bool
	stopped  bool
	listener net.Listener
	http     *http.Server
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// New returns a server for the counters of reg; Start binds it. A nil
// logger discards the server's own logs.
func New(cfg Config, reg *metrics.Registry, logger *slog.Logger) *Server {
	if cfg.Listen == "" {
		cfg.Listen = "0.0.0.0"
	}
	if cfg.HCPeriod <= 0 {
		cfg.HCPeriod = 60 * time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown" // as Fluent Bit does when gethostname fails
	}
	s := &Server{
		cfg: cfg, registry: reg, logger: logger, mux: http.NewServeMux(), hostname: host,
		clock: time.Now, sampleEvery: sampleInterval(cfg.HCPeriod),
		health: newHealthWindow(cfg.HCPeriod, reg.TotalErrors, reg.TotalRetriesFailed),
	}
	s.mux.HandleFunc("GET /{$}", s.serveBuildInfo)
	s.mux.HandleFunc("GET /api/v1/uptime", s.serveUptime)
	s.mux.HandleFunc("GET /api/v1/health", s.serveHealth)
	s.mux.HandleFunc("GET /api/v1/health/detail", s.serveHealthDetail)
	s.mux.HandleFunc("GET /api/v1/metrics", s.serveMetricsJSON)
	s.mux.HandleFunc("GET /api/v1/metrics/prometheus", s.servePrometheus)
	s.mux.HandleFunc("GET /api/v2/metrics/prometheus", s.servePrometheus)
	if cfg.StorageMetrics {
		s.mux.HandleFunc("GET /api/v1/storage", s.serveStorage)
	}
	s.mux.HandleFunc("/", s.serveNoRoute)
	return s
}

// Handle registers h for pattern (http.ServeMux syntax, e.g.
// "POST /api/v2/reload"), before or after Start. Like ServeMux.Handle it
// panics if pattern conflicts with one already registered.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Start binds the listener, then serves and samples the health counters in
// background goroutines that Shutdown stops. It fails if the address cannot
// be bound or the server was already started.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("monitoring server: already started")
	}
	addr := net.JoinHostPort(s.cfg.Listen, strconv.Itoa(s.cfg.Port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("monitoring server: listen on %s: %w; another process (Fluent Bit or a second Sluice?) holds the port: set [SERVICE] HTTP_Port to a free port, or HTTP_Server Off", addr, err)
		}
		return fmt.Errorf("monitoring server: listen on %s: %w; check [SERVICE] HTTP_Listen and HTTP_Port", addr, err)
	}
	s.started, s.listener = true, l
	s.http = &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.health.sample(s.clock())
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("monitoring server stopped serving", "address", l.Addr().String(), "error", err)
		}
	}()
	go func() {
		defer s.wg.Done()
		s.sampleHealth(ctx)
	}()
	return nil
}

// Addr is the bound address (useful with Port 0), or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// Shutdown stops accepting connections, lets in-flight requests finish until
// ctx ends (then closes them), and returns once every goroutine the server
// started has exited. It is safe to call more than once, or without Start.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.started || s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	s.mu.Unlock()

	s.cancel()
	err := s.http.Shutdown(ctx)
	if err != nil {
		// The grace period ended with requests still running: cut them so
		// the serve goroutine can return.
		_ = s.http.Close()
	}
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("monitoring server: shutdown: %w", err)
	}
	return nil
}

// sampleHealth records the output error totals every sampleEvery until ctx
// ends. A sampler goroutine, rather than sampling when a probe arrives, keeps
// the window right however rarely (or never) the endpoint is probed: a probe
// every five minutes must still see a burst of errors from 30 seconds ago.
func (s *Server) sampleHealth(ctx context.Context) {
	ticker := time.NewTicker(s.sampleEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			s.health.sample(s.clock())
		}
	}
}

// serveNoRoute answers requests no route matched: 405 with an Allow header
// when the path exists for other methods, 404 otherwise, both as JSON.
func (s *Server) serveNoRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		for _, m := range allow {
			w.Header().Add("Allow", m)
		}
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{
			"error": "method not allowed", "method": r.Method, "path": r.URL.Path, "allow": allow,
		})
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found", "path": r.URL.Path})
}
