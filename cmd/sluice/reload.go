package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/sluice-logs/sluice/internal/engine"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/metrics"
)

// supervisor runs the pipeline and replaces it on hot reload (SIGHUP, or
// POST/PUT /api/v2/reload, with [SERVICE] Hot_Reload On or -Y).
//
// A reload first loads and builds the new configuration; if that fails,
// the running pipeline keeps running and the error is reported. Otherwise
// the running pipeline shuts down as on SIGTERM — its inputs stop, and
// everything buffered is delivered within Grace — and the new one starts.
// Nothing buffered is dropped by a reload; inputs pause for the time the
// old pipeline takes to drain, and clients of network inputs reconnect.
// The monitoring server keeps running across reloads with its first
// settings; the metrics restart with the new pipeline.
type supervisor struct {
	cl       *commandLine
	stderr   io.Writer
	logs     *logging.Factory
	counters *metrics.Registry
	logger   *slog.Logger

	requests chan reloadRequest
	current  atomic.Pointer[engine.Pipeline] // the running pipeline, for taps
	count    atomic.Int64
	enabled  atomic.Bool // Hot_Reload of the running configuration
}

// reloadRequest asks the supervisor's loop to reload; the outcome is sent
// on reply.
type reloadRequest struct {
	source string
	reply  chan error
}

// errReloadDisabled answers a reload asked for without Hot_Reload.
var errReloadDisabled = errors.New("hot reload is not enabled: set [SERVICE] Hot_Reload On (or run with -Y)")

// run runs p until ctx ends, replacing it on each successful reload, and
// returns the error of the last pipeline's shutdown.
func (s *supervisor) run(ctx context.Context, p *engine.Pipeline) error {
	for {
		s.enabled.Store(p.Service().Config.Bool("Hot_Reload"))
		s.current.Store(p)
		runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan error, 1)
		go func() { done <- p.Run(runCtx) }()
		next, ended, err := s.serve(ctx, done)
		if next == nil {
			stopRun()
			if !ended {
				err = <-done
			}
			return err
		}
		s.logger.Info("reloading: stopping the running pipeline; buffered records are delivered first", "source", next.source)
		stopRun()
		if err := <-done; err != nil {
			s.logger.Error("the replaced pipeline lost records while stopping", "error", err)
		}
		p, err = s.build()
		if err != nil {
			// The configuration built moments ago; only a file changed in
			// between can fail here. Without a pipeline there is nothing to
			// run: report and stop.
			next.reply <- err
			return fmt.Errorf("reload: %w", err)
		}
		s.count.Add(1)
		s.logger.Info("reload complete", "reloads", s.count.Load())
		next.reply <- nil
	}
}

// serve waits for the end (ctx or the pipeline returning) or for a reload
// whose new configuration builds. It returns that request, or nil at the
// end; ended says the pipeline already returned, with err its error. A
// pipeline that returns nil by itself was stopped by an input that is done
// (plugin.ErrExit): a normal end.
func (s *supervisor) serve(ctx context.Context, done <-chan error) (*reloadRequest, bool, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, false, nil
		case err := <-done:
			if err != nil {
				err = errors.Join(err, errPipelineEnded)
			}
			return nil, true, err
		case req := <-s.requests:
			if !s.enabled.Load() {
				s.logger.Warn("reload asked for but not enabled; ignoring", "source", req.source, "hint", errReloadDisabled.Error())
				req.reply <- errReloadDisabled
				continue
			}
			if _, err := s.check(); err != nil {
				s.logger.Error("reload failed; the running pipeline keeps running", "source", req.source, "error", err)
				req.reply <- err
				continue
			}
			return &req, false, nil
		}
	}
}

// errPipelineEnded is returned when the pipeline stopped without a signal.
var errPipelineEnded = errors.New("pipeline stopped")

// check loads and builds the configuration into scratch counters, so a
// broken configuration is found before the running pipeline is stopped.
func (s *supervisor) check() (*engine.Pipeline, error) {
	model, warnings, err := loadModel(s.cl, true, s.stderr)
	for _, w := range warnings {
		s.logger.Warn(w.String())
	}
	if err != nil {
		return nil, err
	}
	return buildPipeline(model, s.logs, metrics.NewRegistry())
}

// build loads the configuration and builds the pipeline that will run,
// registering its instances in the shared counters.
func (s *supervisor) build() (*engine.Pipeline, error) {
	model, _, err := loadModel(s.cl, true, io.Discard)
	if err != nil {
		return nil, err
	}
	s.counters.Reset()
	return buildPipeline(model, s.logs, s.counters)
}

// request asks the loop to reload and waits for the outcome.
func (s *supervisor) request(ctx context.Context, source string) error {
	req := reloadRequest{source: source, reply: make(chan error, 1)}
	select {
	case s.requests <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serveReload answers PUT/POST /api/v2/reload, as Fluent Bit does.
func (s *supervisor) serveReload(w http.ResponseWriter, r *http.Request) {
	err := s.request(r.Context(), "http")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case err == nil:
		w.WriteHeader(http.StatusOK)
		json.NewEncoder(w).Encode(map[string]any{"reload": "done", "status": 0})
	case errors.Is(err, errReloadDisabled):
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"reload": "not enabled", "status": -1, "error": err.Error()})
	default:
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"reload": "failed", "status": -1, "error": err.Error()})
	}
}

// serveReloadCount answers GET /api/v2/reload with the number of reloads.
func (s *supervisor) serveReloadCount(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]int64{"hot_reload_count": s.count.Load()})
}
