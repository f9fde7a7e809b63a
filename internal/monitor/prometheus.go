package monitor

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
)

// promWriter renders the Prometheus text exposition format 0.0.4.
type promWriter struct{ b []byte }

func (p *promWriter) family(name, typ, help string) {
	p.b = append(p.b, "# HELP "...)
	p.b = append(p.b, name...)
	p.b = append(p.b, ' ')
	p.b = append(p.b, help...)
	p.b = append(p.b, "\n# TYPE "...)
	p.b = append(p.b, name...)
	p.b = append(p.b, ' ')
	p.b = append(p.b, typ...)
	p.b = append(p.b, '\n')
}

// sample writes `name{k="v",...} value`; labels are name/value pairs.
func (p *promWriter) sample(name string, value float64, labels ...string) {
	p.b = append(p.b, name...)
	if len(labels) > 0 {
		p.b = append(p.b, '{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				p.b = append(p.b, ',')
			}
			p.b = append(p.b, labels[i]...)
			p.b = append(p.b, `="`...)
			p.b = append(p.b, escapeLabel(labels[i+1])...)
			p.b = append(p.b, '"')
		}
		p.b = append(p.b, '}')
	}
	p.b = append(p.b, ' ')
	p.b = strconv.AppendFloat(p.b, value, 'g', -1, 64)
	p.b = append(p.b, '\n')
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(v string) string { return labelEscaper.Replace(v) }

// counterFamily writes one counter family with a sample per instance.
func counterFamily[T any](p *promWriter, name, help string, items []T, label func(T) string, value func(T) uint64) {
	p.family(name, "counter", help)
	for _, it := range items {
		p.sample(name, float64(value(it)), "name", label(it))
	}
}

// metricsPrometheus answers /api/v1/metrics/prometheus with Fluent Bit's
// metric names, then Sluice's own (sluice_*).
func (s *Server) metricsPrometheus(w http.ResponseWriter, _ *http.Request) {
	reg := s.registry
	p := &promWriter{}
	p.family("fluentbit_uptime", "counter", "Number of seconds that Fluent Bit has been running.")
	p.sample("fluentbit_uptime", float64(int64(time.Since(reg.Start()).Seconds())), "hostname", hostname())
	p.family("fluentbit_process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
	p.sample("fluentbit_process_start_time_seconds", float64(reg.Start().Unix()), "hostname", hostname())
	p.family("fluentbit_build_info", "gauge", "Build version information.")
	p.sample("fluentbit_build_info", 1, "hostname", hostname(), "version", s.cfg.Version, "os", "linux")

	ins, fs, outs := reg.Inputs(), reg.Filters(), reg.Outputs()
	inName := func(i *metrics.Input) string { return i.Name }
	fName := func(f *metrics.Filter) string { return f.Name }
	oName := func(o *metrics.Output) string { return o.Name }
	counterFamily(p, "fluentbit_input_records_total", "Number of input records.", ins, inName, func(i *metrics.Input) uint64 { return i.Records.Load() })
	counterFamily(p, "fluentbit_input_bytes_total", "Number of input bytes.", ins, inName, func(i *metrics.Input) uint64 { return i.Bytes.Load() })
	counterFamily(p, "fluentbit_filter_records_total", "Total number of new records processed.", fs, fName, func(f *metrics.Filter) uint64 { return f.Records.Load() })
	counterFamily(p, "fluentbit_filter_drop_records_total", "Fluentbit metrics.", fs, fName, func(f *metrics.Filter) uint64 { return f.DropRecords.Load() })
	counterFamily(p, "fluentbit_filter_add_records_total", "Fluentbit metrics.", fs, fName, func(f *metrics.Filter) uint64 { return f.AddRecords.Load() })
	counterFamily(p, "fluentbit_output_proc_records_total", "Number of processed output records.", outs, oName, func(o *metrics.Output) uint64 { return o.ProcRecords.Load() })
	counterFamily(p, "fluentbit_output_proc_bytes_total", "Number of processed output bytes.", outs, oName, func(o *metrics.Output) uint64 { return o.ProcBytes.Load() })
	counterFamily(p, "fluentbit_output_errors_total", "Number of output errors.", outs, oName, func(o *metrics.Output) uint64 { return o.Errors.Load() })
	counterFamily(p, "fluentbit_output_retries_total", "Number of output retries.", outs, oName, func(o *metrics.Output) uint64 { return o.Retries.Load() })
	counterFamily(p, "fluentbit_output_retries_failed_total", "Number of abandoned batches because the maximum number of re-tries was reached.", outs, oName, func(o *metrics.Output) uint64 { return o.RetriesFailed.Load() })
	counterFamily(p, "fluentbit_output_dropped_records_total", "Number of dropped records.", outs, oName, func(o *metrics.Output) uint64 { return o.DroppedRecords.Load() })
	counterFamily(p, "fluentbit_output_retried_records_total", "Number of retried records.", outs, oName, func(o *metrics.Output) uint64 { return o.RetriedRecords.Load() })

	p.family("sluice_input_buffered_bytes", "gauge", "Bytes of the input's records buffered or in flight, bounded by Mem_Buf_Limit.")
	for _, i := range ins {
		p.sample("sluice_input_buffered_bytes", float64(i.BufferedBytes.Load()), "name", i.Name)
	}
	p.family("sluice_input_mem_buf_limit_bytes", "gauge", "The input's Mem_Buf_Limit (0: none).")
	for _, i := range ins {
		p.sample("sluice_input_mem_buf_limit_bytes", float64(i.MemBufLimit), "name", i.Name)
	}
	counterFamily(p, "sluice_input_paused_total", "Times the input was paused because Mem_Buf_Limit was reached.", ins, inName, func(i *metrics.Input) uint64 { return i.Paused.Load() })
	counterFamily(p, "sluice_input_unrouted_records_total", "Records discarded because no output matches their tag.", ins, inName, func(i *metrics.Input) uint64 { return i.Unrouted.Load() })
	counterFamily(p, "sluice_filter_errors_total", "Batches a filter failed on (passed on unchanged).", fs, fName, func(f *metrics.Filter) uint64 { return f.Errors.Load() })
	p.family("sluice_output_dropped_records_total", "counter", "Records an output gave up on, by reason.")
	for _, o := range outs {
		byReason := o.DroppedByReason()
		for _, reason := range metrics.SortedReasons(byReason) {
			p.sample("sluice_output_dropped_records_total", float64(byReason[reason]), "name", o.Name, "reason", reason)
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write(p.b)
}
