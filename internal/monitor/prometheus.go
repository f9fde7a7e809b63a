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
//   - fluentbit_input_*: src/flb_input.c
//   - fluentbit_filter_*: src/flb_filter.c
//   - fluentbit_output_*: src/flb_output.c
const (
	helpUptime         = "Number of seconds that Fluent Bit has been running."
	helpStartTime      = "Start time of the process since unix epoch in seconds."
	helpBuildInfo      = "Build version information."
	helpInBytes        = "Number of input bytes."
	helpInRecords      = "Number of input records."
	helpFilterRecords  = "Total number of new records processed."
	helpFilterAdd      = "Total number of new added records."
	helpFilterDrop     = "Total number of dropped records."
	helpOutRecords     = "Number of processed output records."
	helpOutBytes       = "Number of processed output bytes."
	helpOutErrors      = "Number of output errors."
	helpOutRetries     = "Number of output retries."
	helpOutRetriesFail = "Number of abandoned batches because the maximum number of re-tries was reached."
	helpOutDropped     = "Number of dropped records."
	helpOutRetried     = "Number of retried records."
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

	ins, filters, outs := s.registry.Inputs(), s.registry.Filters(), s.registry.Outputs()
	type in = *metrics.Input
	perInstance(p, ins, inputName,
		promFamily[in]{"fluentbit_input_bytes_total", "counter", helpInBytes, func(i in) uint64 { return i.Bytes.Load() }},
		promFamily[in]{"fluentbit_input_records_total", "counter", helpInRecords, func(i in) uint64 { return i.Records.Load() }})
	type fl = *metrics.Filter
	perInstance(p, filters, filterName,
		promFamily[fl]{"fluentbit_filter_records_total", "counter", helpFilterRecords, func(f fl) uint64 { return f.Records.Load() }},
		promFamily[fl]{"fluentbit_filter_add_records_total", "counter", helpFilterAdd, func(f fl) uint64 { return f.AddRecords.Load() }},
		promFamily[fl]{"fluentbit_filter_drop_records_total", "counter", helpFilterDrop, func(f fl) uint64 { return f.DropRecords.Load() }})
	type out = *metrics.Output
	perInstance(p, outs, outputName,
		promFamily[out]{"fluentbit_output_proc_records_total", "counter", helpOutRecords, func(o out) uint64 { return o.ProcRecords.Load() }},
		promFamily[out]{"fluentbit_output_proc_bytes_total", "counter", helpOutBytes, func(o out) uint64 { return o.ProcBytes.Load() }},
		promFamily[out]{"fluentbit_output_errors_total", "counter", helpOutErrors, func(o out) uint64 { return o.Errors.Load() }},
		promFamily[out]{"fluentbit_output_retries_total", "counter", helpOutRetries, func(o out) uint64 { return o.Retries.Load() }},
		promFamily[out]{"fluentbit_output_retries_failed_total", "counter", helpOutRetriesFail, func(o out) uint64 { return o.RetriesFailed.Load() }},
		promFamily[out]{"fluentbit_output_dropped_records_total", "counter", helpOutDropped, func(o out) uint64 { return o.DroppedRecords.Load() }},
		promFamily[out]{"fluentbit_output_retried_records_total", "counter", helpOutRetried, func(o out) uint64 { return o.RetriedRecords.Load() }})

	s.renderSluice(p, ins, filters, outs)
	renderStorage(p, s.registry)
	return p.b
}

// renderSluice appends the metrics Fluent Bit has no name for.
func (s *Server) renderSluice(p *promWriter, ins []*metrics.Input, filters []*metrics.Filter, outs []*metrics.Output) {
	p.family("sluice_build_info", "gauge", "Sluice build information; always 1.")
	p.sample("sluice_build_info", 1, "version", s.cfg.Version, "commit", s.cfg.Commit, "go_version", runtime.Version())

	type in = *metrics.Input
	perInstance(p, ins, inputName,
		// BufferedBytes is signed only so that a racing decrement cannot
		// wrap around; it settles at zero or above.
		promFamily[in]{"sluice_input_buffered_bytes", "gauge",
			"Bytes of the input's records not yet delivered to every output they were routed to (what Mem_Buf_Limit bounds).",
			func(i in) uint64 { return uint64(max(i.BufferedBytes.Load(), 0)) }},
		promFamily[in]{"sluice_input_mem_buf_limit_bytes", "gauge",
			"The input's Mem_Buf_Limit in bytes; 0 means no limit.",
			func(i in) uint64 { return uint64(max(i.MemBufLimit, 0)) }},
		promFamily[in]{"sluice_input_paused_total", "counter",
			"Times the input was paused because its buffered bytes reached Mem_Buf_Limit.",
			func(i in) uint64 { return i.Paused.Load() }},
		promFamily[in]{"sluice_input_unrouted_records_total", "counter",
			"Records discarded because no output matched their tag.",
			func(i in) uint64 { return i.Unrouted.Load() }})
	perInstance(p, filters, filterName,
		promFamily[*metrics.Filter]{"sluice_filter_errors_total", "counter",
			"Batches the filter failed on; they were passed on unchanged.",
			func(f *metrics.Filter) uint64 { return f.Errors.Load() }})

	// With outputs, the family is declared even before any drop, so
	// dashboards and alerts can rely on its name; it has a sample per output
	// and reason once that output dropped for that reason.
	const dropped = "sluice_output_dropped_records_total"
	if len(outs) > 0 {
		p.family(dropped, "counter", "Records the output gave up on, by reason (retry_limit, permanent_error, shutdown, ...).")
	}
	for _, o := range outs {
		byReason := o.DroppedByReason()
		for _, reason := range metrics.SortedReasons(byReason) {
			p.sample(dropped, byReason[reason], "name", o.Name, "reason", reason)
		}
	}
}

// promFamily is one per-instance metric family: a sample per instance,
// labelled name="<instance>".
type promFamily[T any] struct {
	name, typ, help string
	value           func(T) uint64
}

// perInstance appends each family in turn; a family with no instances is
// left out, HELP and TYPE included, as cmetrics leaves it out.
func perInstance[T any](p *promWriter, items []T, nameOf func(T) string, families ...promFamily[T]) {
	if len(items) == 0 {
		return
	}
	for _, f := range families {
		p.family(f.name, f.typ, f.help)
		for _, it := range items {
			p.sample(f.name, f.value(it), "name", nameOf(it))
		}
	}
}

func inputName(i *metrics.Input) string   { return i.Name }
func filterName(f *metrics.Filter) string { return f.Name }
func outputName(o *metrics.Output) string { return o.Name }

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
