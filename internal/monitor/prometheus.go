package monitor

import (
	"net/http"
	"runtime"
	"strconv"

	"github.com/sluice-logs/sluice/internal/metrics"
)

// Fluent Bit's metric names and HELP texts are copied from where Fluent Bit
// creates them with cmetrics, so a scrape of Sluice reads like a scrape of
// Fluent Bit's /api/v2/metrics/prometheus:
//   - fluentbit_uptime, fluentbit_process_start_time_seconds,
//     fluentbit_build_info: src/flb_metrics.c (attach_* functions)
//
// The per-instance families (fluentbit_input_*, fluentbit_output_*,
// sluice_*...) come from metrics.Registry.Families, which the
// fluentbit_metrics input reads too.
const (
	helpUptime    = "Number of seconds that Fluent Bit has been running."
	helpStartTime = "Start time of the process since unix epoch in seconds."
	helpBuildInfo = "Build version information."
)

// prometheusContentType is the text exposition format 0.0.4, as Fluent Bit
// sends it (FLB_HS_CONTENT_TYPE_PROMETHEUS).
const prometheusContentType = "text/plain; version=0.0.4"

// servePrometheus answers /api/v1/metrics/prometheus and
// /api/v2/metrics/prometheus with one body: Fluent Bit's cmetrics names
// (the v2 shape, without timestamps), then Sluice's own sluice_* families.
// A family with no instance is left out, as cmetrics leaves it out.
func (s *Server) servePrometheus(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", prometheusContentType)
	_, _ = w.Write(s.renderPrometheus(make([]byte, 0, 4096)))
}

func (s *Server) renderPrometheus(b []byte) []byte {
	p := &promWriter{b: b}
	host := []string{"hostname", s.hostname}
	start := uint64(max(s.registry.Start().Unix(), 0))

	p.family("fluentbit_uptime", "counter", helpUptime)
	p.sample("fluentbit_uptime", s.uptimeSeconds(), host...)
	p.family("fluentbit_process_start_time_seconds", "gauge", helpStartTime)
	p.sample("fluentbit_process_start_time_seconds", start, host...)
	// Fluent Bit sets this gauge to its start time, not to 1
	// (attach_build_info in src/flb_metrics.c); Sluice does the same so
	// queries written against Fluent Bit give the same answers.
	p.family("fluentbit_build_info", "gauge", helpBuildInfo)
	p.sample("fluentbit_build_info", start, "hostname", s.hostname, "version", s.cfg.Version, "os", fluentBitOS())

	p.families(s.registry.FluentBitFamilies())
	p.family("sluice_build_info", "gauge", "Sluice build information; always 1.")
	p.sample("sluice_build_info", 1, "version", s.cfg.Version, "commit", s.cfg.Commit, "go_version", runtime.Version())
	p.families(s.registry.SluiceFamilies())
	return p.b
}

// fluentBitOS names the OS as Fluent Bit's get_os_name (src/flb_metrics.c)
// does, for the os label of fluentbit_build_info.
func fluentBitOS() string {
	switch runtime.GOOS {
	case "linux", "freebsd":
		return runtime.GOOS
	case "darwin":
		return "macos"
	case "windows":
		if runtime.GOARCH == "386" || runtime.GOARCH == "arm" {
			return "win32"
		}
		return "win64"
	case "openbsd", "netbsd", "dragonfly", "solaris", "illumos", "aix":
		return "unix"
	}
	return "other"
}

// promWriter appends the Prometheus text exposition format 0.0.4.
type promWriter struct{ b []byte }

// family appends the HELP and TYPE lines; HELP text escapes \ and newline.
func (p *promWriter) family(name, typ, help string) {
	p.b = append(p.b, "# HELP "...)
	p.b = append(p.b, name...)
	p.b = append(p.b, ' ')
	p.b = appendEscaped(p.b, help, false)
	p.b = append(p.b, "\n# TYPE "...)
	p.b = append(p.b, name...)
	p.b = append(p.b, ' ')
	p.b = append(p.b, typ...)
	p.b = append(p.b, '\n')
}

// families appends every family, HELP and TYPE first, then its samples.
func (p *promWriter) families(fs []metrics.Family) {
	for i := range fs {
		f := &fs[i]
		p.family(f.Name, f.Type, f.Help)
		for _, smp := range f.Samples {
			p.sample(f.Name, smp.Value, smp.Labels...)
		}
	}
}

// sample appends `name{k="v",...} value`; labels alternate names (trusted
// constants) and values (escaped). Values are whole numbers, written exactly
// rather than through a float64.
func (p *promWriter) sample(name string, value uint64, labels ...string) {
	p.b = append(p.b, name...)
	if len(labels) > 0 {
		p.b = append(p.b, '{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				p.b = append(p.b, ',')
			}
			p.b = append(p.b, labels[i]...)
			p.b = append(p.b, `="`...)
			p.b = appendEscaped(p.b, labels[i+1], true)
			p.b = append(p.b, '"')
		}
		p.b = append(p.b, '}')
	}
	p.b = append(p.b, ' ')
	p.b = strconv.AppendUint(p.b, value, 10)
	p.b = append(p.b, '\n')
}

// appendEscaped escapes \ and newline, and " too in label values, as the
// exposition format requires.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
