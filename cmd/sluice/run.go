package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/sluice-logs/sluice/internal/binpages"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/monitor"
	"github.com/sluice-logs/sluice/internal/plugin"
)

const runHelp = `Usage: sluice [run] [-c FILE] [quick flags]

Runs a pipeline until SIGTERM or SIGINT, then delivers what is buffered
within [SERVICE] Grace (default 30 s) and exits. A second signal exits at once.
With [SERVICE] Hot_Reload On (or -Y), SIGHUP and POST /api/v2/reload reload
the configuration: a broken one is reported and the running pipeline kept.

  -c, --config FILE      classic (.conf) or YAML (.yaml, .yml) configuration
  -i, --input NAME       add an input
  -F, --filter NAME      add a filter
  -o, --output NAME      add an output
  -p, --prop K=V         set a parameter of the plugin declared last
  -t, --tag TAG          set the Tag of the input declared last
  -m, --match PATTERN    set the Match of the filter or output declared last
  -f, --flush SECONDS    [SERVICE] Flush
  -g, --grace SECONDS    [SERVICE] Grace
  -R, --parser FILE      [SERVICE] Parsers_File
  -l, --log_file FILE    [SERVICE] Log_File
  -H, --http             [SERVICE] HTTP_Server on
  -L, --http_listen ADDR [SERVICE] HTTP_Listen
  -P, --http_port PORT   [SERVICE] HTTP_Port
  -v, --verbose          Log_Level debug
  -q, --quiet            Log_Level error
  -Y, --enable-hot-reload  [SERVICE] Hot_Reload on
  -e, --plugin FILE      accepted for compatibility (plugins are built in); noted
  -D, --dry-run          validate the configuration and exit (as 'sluice validate')

Without -c or -i/-o, runs the embedded example (dummy -> stdout).
Example: sluice -i dummy -p 'dummy={"msg":"hi"}' -o stdout -p format=json_lines
`

func runCommand(args []string, stdout, stderr io.Writer) int {
	cl, err := parseCommandLine(args)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitConfig
	}
	switch {
	case cl.help:
		fmt.Fprint(stdout, runHelp)
		return exitOK
	case cl.version:
		return versionCommand(nil, stdout, stderr)
	case cl.dryRun:
		return validate(cl, stdout, stderr)
	}
	model, warnings, err := loadModel(cl, true, stderr)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		printConfigError(stderr, err)
		return exitConfig
	}
	logOut, closeLog, err := logDestination(model, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitConfig
	}
	defer closeLog()
	format, _ := model.Service.Get("Log_Format")
	logs := logging.NewFactory(logOut, format)
	counters := metrics.NewRegistry()
	p, err := buildPipeline(model, logs, counters)
	if err != nil {
		printConfigError(stderr, err)
		return exitConfig
	}
	svc := p.Service()
	logger := logs.New(svc.LogLevel, "component", "sluice")
	applyMemLimit(svc.Config.Size("Mem_Limit"), logger)
	for _, w := range p.Warnings() {
		logger.Warn(w)
	}
	for _, line := range p.Summary() {
		logger.Info("pipeline: " + line)
	}

	sup := &supervisor{cl: cl, stderr: stderr, logs: logs, counters: counters, logger: logger,
		requests: make(chan reloadRequest)}
	var server *monitor.Server
	if svc.HTTPServer {
		server = monitor.New(monitor.Config{
			Listen: svc.HTTPListen, Port: svc.HTTPPort,
			HealthCheck: svc.HealthCheck, HCErrorsCount: svc.HCErrors,
			HCRetryFailureCount: svc.HCRetryFailed, HCPeriod: svc.HCPeriod,
			Version: version, Commit: commit(),
			StorageMetrics: svc.Storage.Metrics,
		}, counters, logs.New(svc.LogLevel, "component", "http_server"))
		server.Handle("POST /api/v2/reload", http.HandlerFunc(sup.serveReload))
		server.Handle("PUT /api/v2/reload", http.HandlerFunc(sup.serveReload))
		server.Handle("GET /api/v2/reload", http.HandlerFunc(sup.serveReloadCount))
		server.Handle("GET /api/v2/tap", http.HandlerFunc(sup.serveTap))
		if err := server.Start(); err != nil {
			logger.Error("monitoring server failed to start", "error", err)
			return exitRuntime
		}
		logger.Info("monitoring server listening", "address", server.Addr().String())
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	finished := make(chan struct{})
	defer close(finished) // before stop: the end of run is not a first signal
	go exitOnSecondSignal(ctx, finished, logger)
	go reloadOnSIGHUP(ctx, sup)
	logger.Info("sluice started", "version", version, "commit", commit(), "pid", strconv.Itoa(os.Getpid()))
	releaseStartupPages(logger)
	settled := time.AfterFunc(startupSettle, func() { releaseStartupPages(logger) })
	defer settled.Stop()
	runErr := sup.run(ctx, p)
	if server != nil {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = server.Shutdown(shutdownCtx)
		cancel()
	}
	if code, ok := passedExitCode(runErr); ok {
		logger.Info("exiting with the exit code an input passed on", "code", code)
		return code
	}
	if runErr != nil {
		logger.Error("exiting with an error", "error", runErr)
		return exitRuntime
	}
	return exitOK
}

// startupSettle is how long after start the pipeline's own start-up
// (inputs opening files and sockets, outputs building clients) is taken
// to be over.
const startupSettle = 2 * time.Second

// releaseStartupPages gives back the pages of the executable that start-up
// touched (package initialisation, configuration loading, plugin
// construction): called once the pipeline is built and again once it has
// settled, so the resident set is what the running pipeline uses.
func releaseStartupPages(logger *slog.Logger) {
	n, err := binpages.Release()
	if err != nil {
		logger.Debug("start-up pages of the executable not released", "error", err)
		return
	}
	logger.Debug("start-up pages of the executable released", "mapped_bytes", n)
}

// applyMemLimit sets the Go runtime's soft memory limit from [SERVICE]
// Mem_Limit, unless GOMEMLIMIT in the environment already set it.
func applyMemLimit(limit int64, logger *slog.Logger) {
	if limit <= 0 {
		return
	}
	if env := os.Getenv("GOMEMLIMIT"); env != "" {
		logger.Info("[SERVICE] Mem_Limit ignored: the GOMEMLIMIT environment variable sets the limit", "GOMEMLIMIT", env)
		return
	}
	debug.SetMemoryLimit(limit)
	logger.Info("memory limit set", "bytes", limit)
}

// reloadOnSIGHUP turns each SIGHUP into a reload request until ctx ends.
// SIGHUP is always caught, so that without Hot_Reload it is reported and
// ignored rather than ending the process (Go's default).
func reloadOnSIGHUP(ctx context.Context, sup *supervisor) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = sup.request(ctx, "SIGHUP") // the supervisor logs the outcome
		}
	}
}

// exitOnSecondSignal exits at once when a second SIGTERM/SIGINT arrives
// during the graceful shutdown started by the first. It returns when run
// has finished: a pipeline that ended by itself (stdin at end of file) and
// then gets one SIGTERM has seen a first signal, not a second.
func exitOnSecondSignal(ctx context.Context, finished <-chan struct{}, logger interface{ Warn(string, ...any) }) {
	select {
	case <-ctx.Done():
	case <-finished:
		return
	}
	again := make(chan os.Signal, 1)
	signal.Notify(again, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(again)
	select {
	case <-again:
		logger.Warn("second signal received; exiting without waiting for the grace period")
		os.Exit(exitRuntime)
	case <-finished:
	}
}

// passedExitCode returns the code of a plugin.ExitCode (exec's
// Propagate_Exit_Code) when it is all that ended the pipeline; records lost
// at shutdown or a failed input make the exit an error instead.
func passedExitCode(err error) (int, bool) {
	var leaves []error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range j.Unwrap() {
				walk(c)
			}
			return
		}
		if e != errPipelineEnded {
			leaves = append(leaves, e)
		}
	}
	if err != nil {
		walk(err)
	}
	var code plugin.ExitCode
	if len(leaves) == 1 && errors.As(leaves[0], &code) {
		return int(code), true
	}
	return 0, false
}
