package monitor

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"
	"time"
)

// buildInfo is the body of "/". The "fluent-bit" object keeps Fluent Bit's
// shape ({"fluent-bit": {"version", "edition", "flags"}}, see Fluent Bit's
// monitoring docs), so tools that probe it keep working; it carries Sluice's
// version, since claiming a Fluent Bit version would be a lie.
type buildInfo struct {
	FluentBit struct {
		Version string   `json:"version"`
		Edition string   `json:"edition"`
		Flags   []string `json:"flags"`
	} `json:"fluent-bit"`
	Sluice struct {
		Version   string `json:"version"`
		Commit    string `json:"commit"`
		GoVersion string `json:"go_version"`
		OS        string `json:"os"`
		Arch      string `json:"arch"`
	} `json:"sluice"`
}

func (s *Server) serveBuildInfo(w http.ResponseWriter, _ *http.Request) {
	var info buildInfo
	info.FluentBit.Version = s.cfg.Version
	info.FluentBit.Edition = "Sluice"
	info.FluentBit.Flags = append([]string{}, s.cfg.Flags...) // [] rather than null
	info.Sluice.Version = s.cfg.Version
	info.Sluice.Commit = s.cfg.Commit
	info.Sluice.GoVersion = runtime.Version()
	info.Sluice.OS, info.Sluice.Arch = runtime.GOOS, runtime.GOARCH
	writeJSON(w, http.StatusOK, info)
}

// uptimeSeconds is the whole seconds since the registry started, as Fluent
// Bit counts it (time(NULL) - init_time).
func (s *Server) uptimeSeconds() uint64 {
	d := s.clock().Sub(s.registry.Start())
	if d < 0 {
		return 0
	}
	return uint64(d / time.Second)
}

// serveUptime answers /api/v1/uptime: {"uptime_sec": N, "uptime_hr": "..."},
// keys in Fluent Bit's order.
func (s *Server) serveUptime(w http.ResponseWriter, _ *http.Request) {
	sec := s.uptimeSeconds()
	b := append([]byte(`{"uptime_sec":`), strconv.FormatUint(sec, 10)...)
	b = append(b, `,"uptime_hr":`...)
	b = appendJSONString(b, uptimeHuman(sec))
	b = append(b, "}\n"...)
	writeJSONBytes(w, http.StatusOK, b)
}

// uptimeHuman renders Fluent Bit's uptime_hr sentence exactly
// (src/http_server/api/v1/uptime.c): two spaces after the colon, and a
// plural "s" only for counts above one ("0 day", "1 hour", "8 seconds").
func uptimeHuman(sec uint64) string {
	days, hours, minutes, seconds := sec/86400, sec%86400/3600, sec%3600/60, sec%60
	b := []byte("Fluent Bit has been running:  ")
	b = appendCount(b, days, " day")
	b = append(b, ", "...)
	b = appendCount(b, hours, " hour")
	b = append(b, ", "...)
	b = appendCount(b, minutes, " minute")
	b = append(b, " and "...)
	b = appendCount(b, seconds, " second")
	return string(b)
}

func appendCount(b []byte, n uint64, unit string) []byte {
	b = strconv.AppendUint(b, n, 10)
	b = append(b, unit...)
	if n > 1 {
		b = append(b, 's')
	}
	return b
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	}
	writeJSONBytes(w, status, append(b, '\n'))
}

func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
