package monitor

import (
	"net/http"
	"strconv"
)

// serveMetricsJSON answers /api/v1/metrics in Fluent Bit's shape:
//
//	{"input":  {"dummy.0":  {"records":N,"bytes":N}},
//	 "filter": {"grep.0":   {"drop_records":N,"add_records":N,"records":N}},
//	 "output": {"stdout.0": {"proc_records":N,"proc_bytes":N,"errors":N,"retries":N,
//	                         "retries_failed":N,"dropped_records":N,"retried_records":N}}}
//
// Instances appear in registration (configuration) order and keys in Fluent
// Bit's order (flb_metrics_add calls in flb_input.c, flb_filter.c,
// flb_output.c), which a map-based encoder would sort away. All three
// sections are always present, empty when no instance has that kind.
func (s *Server) serveMetricsJSON(w http.ResponseWriter, _ *http.Request) {
	b := make([]byte, 0, 1024)
	b = append(b, `{"input":{`...)
	for i, in := range s.registry.Inputs() {
		b = appendInstance(b, i, in.Name,
			field{"records", in.Records.Load()},
			field{"bytes", in.Bytes.Load()})
	}
	b = append(b, `},"filter":{`...)
	for i, f := range s.registry.Filters() {
		b = appendInstance(b, i, f.Name,
			field{"drop_records", f.DropRecords.Load()},
			field{"add_records", f.AddRecords.Load()},
			field{"records", f.Records.Load()})
	}
	b = append(b, `},"output":{`...)
	for i, o := range s.registry.Outputs() {
		b = appendInstance(b, i, o.Name,
			field{"proc_records", o.ProcRecords.Load()},
			field{"proc_bytes", o.ProcBytes.Load()},
			field{"errors", o.Errors.Load()},
			field{"retries", o.Retries.Load()},
			field{"retries_failed", o.RetriesFailed.Load()},
			field{"dropped_records", o.DroppedRecords.Load()},
			field{"retried_records", o.RetriedRecords.Load()})
	}
	b = append(b, "}}\n"...)
	writeJSONBytes(w, http.StatusOK, b)
}

// field is one counter of an instance; key needs no JSON escaping.
type field struct {
	key   string
	value uint64
}

// appendInstance appends `"name":{"key":value,...}`, preceded by a comma
// unless it is the first (index 0) of its section.
func appendInstance(b []byte, index int, name string, fields ...field) []byte {
	if index > 0 {
		b = append(b, ',')
	}
	b = appendJSONString(b, name)
	b = append(b, ":{"...)
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.key...)
		b = append(b, `":`...)
		b = strconv.AppendUint(b, f.value, 10)
	}
	return append(b, '}')
}
