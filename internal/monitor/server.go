// Package monitor is Sluice's built-in HTTP monitoring server: Fluent Bit's
// paths and response shapes ([SERVICE] HTTP_Server, HTTP_Listen,
// HTTP_Port), so dashboards, health checks and scrapers written for Fluent
// Bit work unchanged, plus Sluice's own metrics. It only reads the engine's
// counters (package metrics); it never touches the data path.
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
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
)

// Config is the [SERVICE] part that configures the server.
type Config struct {
	Listen string // HTTP_Listen
	Port   int    // HTTP_Port; 0 picks a free port (tests)
	// HealthCheck (Health_Check) makes /api/v1/health fail when, within
	// HCPeriod, output errors exceed HCErrorsCount or retry failures
	// exceed HCRetryFailureCount.
	HealthCheck         bool
	HCErrorsCount       uint64
	HCRetryFailureCount uint64
	HCPeriod            time.Duration
	Version, Commit     string
}

// Server serves the monitoring API.
type Server struct {
	cfg      Config
	registry *metrics.Registry
	logger   *slog.Logger
	mux      *http.ServeMux
	health   *healthWindow
	http     *http.Server
	listener net.Listener
	stop     chan struct{}
	done     chan struct{}
}

// New returns a server for the counters of reg; Start binds it.
func New(cfg Config, reg *metrics.Registry, logger *slog.Logger) *Server {
	s := &Server{cfg: cfg, registry: reg, logger: logger, mux: http.NewServeMux(),
		health: newHealthWindow(cfg.HCPeriod), stop: make(chan struct{}), done: make(chan struct{})}
	s.mux.HandleFunc("GET /{$}", s.buildInfo)
	s.mux.HandleFunc("GET /api/v1/uptime", s.uptime)
	s.mux.HandleFunc("GET /api/v1/health", s.healthCheck)
	s.mux.HandleFunc("GET /api/v1/metrics", s.metricsJSON)
	s.mux.HandleFunc("GET /api/v1/metrics/prometheus", s.metricsPrometheus)
	s.mux.HandleFunc("GET /api/v2/metrics/prometheus", s.metricsPrometheus)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found", "path": r.URL.Path})
	})
	return s
}

// Handle registers an extra endpoint (reload, tap, ... in later features).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Start binds the listener and serves in the background.
func (s *Server) Start() error {
	addr := net.JoinHostPort(s.cfg.Listen, strconv.Itoa(s.cfg.Port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("monitoring server: listen on %s: %w; set [SERVICE] HTTP_Port to a free port or HTTP_Server Off", addr, err)
	}
	s.listener = l
	s.http = &http.Server{Handler: s.mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("monitoring server stopped", "error", err)
		}
	}()
	go s.sampleHealth()
	return nil
}

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// Shutdown stops serving and the health sampler.
func (s *Server) Shutdown(ctx context.Context) error {
	close(s.stop)
	<-s.done
	return s.http.Shutdown(ctx)
}

// sampleHealth records the error totals once a second, so the health check
// can tell how many happened within HC_Period. Sampling the cumulative
// counters costs one read per second whatever the error rate.
func (s *Server) sampleHealth() {
	defer close(s.done)
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	s.health.add(time.Now(), s.registry.TotalErrors(), s.registry.TotalRetriesFailed())
	for {
		select {
		case <-s.stop:
			return
		case now := <-ticker.C:
			s.health.add(now, s.registry.TotalErrors(), s.registry.TotalRetriesFailed())
		}
	}
}

// hostname labels the process-wide samples, as Fluent Bit does.
func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}
