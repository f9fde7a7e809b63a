package monitor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// buildInfo answers "/" with Fluent Bit's shape ({"fluent-bit": {version,
// edition, flags}}), so tools that probe it work, plus Sluice's own key.
func (s *Server) buildInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"fluent-bit": map[string]any{"version": s.cfg.Version, "edition": "Sluice", "flags": []string{}},
		"sluice":     map[string]any{"version": s.cfg.Version, "commit": s.cfg.Commit, "go": runtime.Version()},
	})
}

// uptime answers /api/v1/uptime as Fluent Bit does.
func (s *Server) uptime(w http.ResponseWriter, _ *http.Request) {
	sec := int64(time.Since(s.registry.Start()).Seconds())
	writeJSON(w, http.StatusOK, map[string]any{"uptime_sec": sec, "uptime_hr": uptimeHuman(sec)})
}

// uptimeHuman renders Fluent Bit's uptime_hr sentence.
func uptimeHuman(sec int64) string {
	days, hours, minutes, seconds := sec/86400, sec%86400/3600, sec%3600/60, sec%60
	return fmt.Sprintf("Fluent Bit has been running:  %d day%s, %d hour%s, %d minute%s and %d second%s",
		days, plural(days), hours, plural(hours), minutes, plural(minutes), seconds, plural(seconds))
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// healthCheck answers /api/v1/health: "ok" (200) or "error" (500).
func (s *Server) healthCheck(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	if !s.cfg.HealthCheck || s.health.healthy(s.cfg.HCErrorsCount, s.cfg.HCRetryFailureCount) {
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "ok\n")
		return
	}
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprint(w, "error\n")
}

// metricsJSON answers /api/v1/metrics in Fluent Bit's shape.
func (s *Server) metricsJSON(w http.ResponseWriter, _ *http.Request) {
	in := map[string]any{}
	for _, i := range s.registry.Inputs() {
		in[i.Name] = map[string]uint64{"records": i.Records.Load(), "bytes": i.Bytes.Load()}
	}
	filters := map[string]any{}
	for _, f := range s.registry.Filters() {
		filters[f.Name] = map[string]uint64{"drop_records": f.DropRecords.Load(), "add_records": f.AddRecords.Load()}
	}
	out := map[string]any{}
	for _, o := range s.registry.Outputs() {
		out[o.Name] = map[string]uint64{
			"proc_records": o.ProcRecords.Load(), "proc_bytes": o.ProcBytes.Load(),
			"errors": o.Errors.Load(), "retries": o.Retries.Load(), "retries_failed": o.RetriesFailed.Load(),
			"dropped_records": o.DroppedRecords.Load(), "retried_records": o.RetriedRecords.Load(),
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"input": in, "filter": filters, "output": out})
}
