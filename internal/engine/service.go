package engine

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/storage"
)

// serviceParams declares the [SERVICE] keys. Names and defaults follow
// Fluent Bit's, except Grace (30 s instead of 5 s, to use all of ECS's
// default stop timeout) — see docs.fluentbit.io administration/configuring-
// fluent-bit/classic-mode/configuration-file, "Service".
var serviceParams = []plugin.Param{
	{Name: "Flush", Type: plugin.TypeDuration, Default: "1", Doc: "interval between flushes of buffered records to the outputs (seconds)"},
	{Name: "Grace", Type: plugin.TypeDuration, Default: "30", Doc: "on SIGTERM/SIGINT, time allowed to flush buffered records before exiting (seconds)"},
	{Name: "Daemon", Type: plugin.TypeBool, Default: "off", Doc: "accepted for compatibility; Sluice always runs in the foreground"},
	{Name: "Log_Level", Default: "info", Options: []string{"off", "error", "warn", "warning", "info", "debug", "trace"}, Doc: "level of Sluice's own logs"},
	{Name: "Log_File", Doc: "write Sluice's own logs to this file instead of stderr"},
	{Name: "Log_Format", Default: "text", Options: []string{"text", "json"}, Doc: "format of Sluice's own logs: key=value text or JSON (Sluice only)"},
	{Name: "Parsers_File", Multiple: true, Doc: "file of [PARSER] and [MULTILINE_PARSER] sections, relative to this config"},
	{Name: "Plugins_File", Doc: "accepted for compatibility; Sluice has no external plugins"},
	{Name: "Streams_File", Doc: "accepted for compatibility; stream processing is not supported: the file's stream tasks are not run (validate and run warn)"},
	{Name: "HTTP_Server", Type: plugin.TypeBool, Default: "off", Doc: "start the monitoring HTTP server"},
	{Name: "HTTP_Listen", Default: "0.0.0.0", Doc: "address the monitoring server listens on"},
	{Name: "HTTP_Port", Type: plugin.TypeInt, Default: "2020", Min: 0, Max: 65535, Doc: "port of the monitoring server"},
	{Name: "Health_Check", Type: plugin.TypeBool, Default: "off", Doc: "make /api/v1/health report errors and retry failures"},
	{Name: "HC_Errors_Count", Type: plugin.TypeInt, Default: "5", Doc: "output errors within HC_Period that make the health check fail"},
	{Name: "HC_Retry_Failure_Count", Type: plugin.TypeInt, Default: "5", Doc: "retry failures within HC_Period that make the health check fail"},
	{Name: "HC_Period", Type: plugin.TypeDuration, Default: "60", Doc: "window of the health check (seconds)"},
	{Name: "Mem_Limit", Type: plugin.TypeSize, Doc: "soft limit of the process's memory (Go's GOMEMLIMIT): the garbage collector works harder as it nears it; set it to about 90% of the container's limit. The GOMEMLIMIT environment variable wins (Sluice only)"},
	{Name: "Hot_Reload", Type: plugin.TypeBool, Default: "off", Doc: "allow reloading the configuration on SIGHUP"},
	{Name: "scheduler.base", Type: plugin.TypeDuration, Default: "5", Doc: "base of the exponential retry backoff (seconds)"},
	{Name: "scheduler.cap", Type: plugin.TypeDuration, Default: "2000", Doc: "longest wait between two retries (seconds)"},
	{Name: "Coro_Stack_Size", Type: plugin.TypeSize, Doc: "accepted for compatibility; Go manages goroutine stacks"},
	{Name: "dns.mode", Doc: "accepted for compatibility; Go's resolver is used"},
	{Name: "json.convert_nan_to_null", Type: plugin.TypeBool, Default: "on", Doc: "accepted for compatibility; NaN is always written as null in JSON"},
	{Name: "storage.path", Doc: "directory of the filesystem buffer (inputs with storage.type filesystem) and of the dead-letter store"},
	{Name: "storage.sync", Default: "normal", Options: []string{"normal", "full"}, Doc: "normal: write before acknowledging, fsync at seal and every Flush; full: fsync before acknowledging"},
	{Name: "storage.checksum", Type: plugin.TypeBool, Default: "off", Doc: "store a CRC-32C with every frame and verify it when reading back"},
	{Name: "storage.metrics", Type: plugin.TypeBool, Default: "on", Doc: "export sluice_storage_* metrics in the monitoring server"},
	{Name: "storage.backlog.mem_limit", Type: plugin.TypeSize, Default: "5M", Doc: "memory for chunks read back from disk (the backlog of a previous run, or chunks over max_chunks_up)"},
	{Name: "storage.backlog.flush_on_shutdown", Type: plugin.TypeBool, Default: "off", Doc: "at shutdown, also try to deliver the chunks waiting on disk within Grace (they are kept either way)"},
	{Name: "storage.max_chunks_up", Type: plugin.TypeInt, Default: "128", Min: 1, Max: 1 << 20, Doc: "filesystem chunks kept in memory; the others wait on disk"},
	{Name: "storage.delete_irrecoverable_chunks", Type: plugin.TypeBool, Default: "off", Doc: "accepted for compatibility; unreadable frames are always skipped and reported"},
	{Name: "storage.keep.rejected", Type: plugin.TypeBool, Default: "off", Doc: "write records an output gave up on (permanent error, Retry_Limit) to the dead-letter store"},
	{Name: "storage.rejected.path", Default: "rejected", Doc: "directory of the dead-letter store, relative to storage.path"},
}

// ServiceSpec is the pseudo-plugin spec that declares the [SERVICE] keys, so
// they are validated and documented like plugin parameters.
func ServiceSpec() *plugin.Spec {
	return &plugin.Spec{Name: "service", Summary: "global settings", Params: serviceParams}
}

// Service is the decoded [SERVICE] section.
type Service struct {
	Config *plugin.Config
	// Warnings are the [SERVICE] keys that were ignored, for
	// Pipeline.Warnings.
	Warnings []string

	Flush         time.Duration
	Grace         time.Duration
	LogLevel      slog.Level
	RetryBase     time.Duration
	RetryCap      time.Duration
	HTTPServer    bool
	HTTPListen    string
	HTTPPort      int
	HealthCheck   bool
	HCErrors      uint64
	HCRetryFailed uint64
	HCPeriod      time.Duration

	Storage StorageSettings
}

// StorageSettings are the [SERVICE] storage.* keys.
type StorageSettings struct {
	Path            string
	Sync            storage.SyncMode
	Checksum        bool
	Metrics         bool
	BacklogMemLimit int64
	MaxChunksUp     int
	KeepRejected    bool
	FlushOnShutdown bool
	// RejectedPath is storage.rejected.path resolved against Path.
	RejectedPath string
}

// DecodeService validates the [SERVICE] section.
func DecodeService(sect *config.Section) (*Service, error) {
	if sect.Pos.File == "" && sect.Pos.Line == 0 && len(sect.Params) == 0 {
		sect = &config.Section{Kind: config.KindService}
	}
	sect, ignored := withoutUnknownServiceKeys(sect)
	cfg, err := plugin.Decode(ServiceSpec(), sect, "[SERVICE]")
	if err != nil {
		return nil, err
	}
	level, _ := logging.ParseLevel(cfg.String("Log_Level"))
	s := &Service{
		Warnings:      ignored,
		Config:        cfg,
		Flush:         cfg.Duration("Flush"),
		Grace:         cfg.Duration("Grace"),
		LogLevel:      level,
		RetryBase:     cfg.Duration("scheduler.base"),
		RetryCap:      cfg.Duration("scheduler.cap"),
		HTTPServer:    cfg.Bool("HTTP_Server"),
		HTTPListen:    cfg.String("HTTP_Listen"),
		HTTPPort:      int(cfg.Int("HTTP_Port")),
		HealthCheck:   cfg.Bool("Health_Check"),
		HCErrors:      uint64(cfg.Int("HC_Errors_Count")),
		HCRetryFailed: uint64(cfg.Int("HC_Retry_Failure_Count")),
		HCPeriod:      cfg.Duration("HC_Period"),
	}
	s.Storage = StorageSettings{
		Path:            cfg.String("storage.path"),
		Checksum:        cfg.Bool("storage.checksum"),
		Metrics:         cfg.Bool("storage.metrics"),
		BacklogMemLimit: cfg.Size("storage.backlog.mem_limit"),
		MaxChunksUp:     int(cfg.Int("storage.max_chunks_up")),
		KeepRejected:    cfg.Bool("storage.keep.rejected"),
		FlushOnShutdown: cfg.Bool("storage.backlog.flush_on_shutdown"),
		RejectedPath:    cfg.String("storage.rejected.path"),
	}
	if cfg.String("storage.sync") == "full" {
		s.Storage.Sync = storage.SyncFull
	}
	if s.Storage.KeepRejected {
		switch {
		case filepath.IsAbs(s.Storage.RejectedPath):
		case s.Storage.Path == "":
			return nil, cfg.Errorf("storage.keep.rejected", "needs storage.path (the dead-letter store is a directory under it), or an absolute storage.rejected.path")
		default:
			s.Storage.RejectedPath = filepath.Join(s.Storage.Path, s.Storage.RejectedPath)
		}
	}
	if cfg.IsSet("Streams_File") {
		pos := sect.Pos
		if kv, ok := sect.Lookup("Streams_File"); ok {
			pos = kv.Pos
		}
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: [SERVICE] Streams_File %s: Sluice has no stream processor, so the [STREAM_TASK]s of that file are not run: records they would create or re-tag never appear; do that with filters (rewrite_tag, grep, modify) or remove the key",
			pos, cfg.String("Streams_File")))
	}
	if s.Flush <= 0 {
		return nil, cfg.Errorf("Flush", "must be greater than zero")
	}
	if s.RetryBase <= 0 || s.RetryCap < s.RetryBase {
		return nil, cfg.Errorf("scheduler.cap", "scheduler.base must be positive and scheduler.cap at least scheduler.base")
	}
	return s, nil
}

// withoutUnknownServiceKeys returns sect without the keys [SERVICE] does not
// declare, and a warning for each. Fluent Bit ignores [SERVICE] keys it does
// not know (flb_config_set_property), and configurations in the wild carry
// retired ones such as HTTP_Monitor, so Sluice warns instead of refusing
// them; a plugin section's unknown key stays an error.
func withoutUnknownServiceKeys(sect *config.Section) (*config.Section, []string) {
	declared := map[string]bool{}
	var names []string
	for _, p := range ServiceSpec().Params {
		declared[strings.ToLower(p.Name)] = true
		names = append(names, p.Name)
	}
	var kept []config.Param
	var warnings []string
	for _, kv := range sect.Params {
		if declared[strings.ToLower(kv.Key)] {
			kept = append(kept, kv)
			continue
		}
		w := fmt.Sprintf("%s: [SERVICE] unknown key %q is ignored, as Fluent Bit ignores it", kv.Pos, kv.Key)
		if hint := config.Suggest(kv.Key, names); hint != "" {
			w += fmt.Sprintf("; did you mean %q?", hint)
		}
		warnings = append(warnings, w)
	}
	if len(warnings) == 0 {
		return sect, nil
	}
	trimmed := *sect
	trimmed.Params = kept
	return &trimmed, warnings
}
