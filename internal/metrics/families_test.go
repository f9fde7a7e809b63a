package metrics

import (
	"slices"
	"testing"
)

func names(fs []Family) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

func TestFamilies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(r *Registry)
		want  []string // families, in order
	}{
		{name: "empty registry has none", setup: func(*Registry) {}},
		{name: "input only", setup: func(r *Registry) { r.NewInput("dummy.0", "dummy", 0) },
			want: []string{"fluentbit_input_bytes_total", "fluentbit_input_records_total",
				"sluice_input_buffered_bytes", "sluice_input_mem_buf_limit_bytes", "sluice_input_paused_total", "sluice_input_unrouted_records_total",
				"sluice_input_dropped_records_total"}},
		{name: "output: drop and rejected families exist before any drop", setup: func(r *Registry) { r.NewOutput("null.0", "null") },
			want: []string{"fluentbit_output_proc_records_total", "fluentbit_output_proc_bytes_total", "fluentbit_output_errors_total",
				"fluentbit_output_retries_total", "fluentbit_output_retries_failed_total", "fluentbit_output_dropped_records_total",
				"fluentbit_output_retried_records_total", "sluice_output_dropped_records_total", "sluice_output_access_denied_total",
				"sluice_output_rejected_records_total"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRegistry()
			tc.setup(r)
			if got := names(r.Families()); !slices.Equal(got, tc.want) {
				t.Errorf("families\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestFamiliesSamples(t *testing.T) {
	r := NewRegistry()
	r.NewInput("a", "dummy", 0).Records.Add(3)
	r.NewInput("b", "dummy", 0).Records.Add(5)
	o := r.NewOutput("o", "null")
	o.Drop("shutdown", 2)
	o.Drop("retry_limit", 1)
	o.Denied("AccessDenied: not authorized to perform logs:PutLogEvents")
	r.CountRejected("o", 4)
	r.NewInput("c", "tail", 0).Dropped.Add("oversize", 2)
	f := r.NewFilter("m", "multiline")
	f.Dropped.Add("plugin_error", 1)
	f.Dropped.Add("plugin_error", 1)
	got := map[string][]Sample{}
	for _, f := range r.Families() {
		got[f.Name] = f.Samples
	}
	check := func(name string, want ...Sample) {
		t.Helper()
		if !slices.EqualFunc(got[name], want, func(a, b Sample) bool { return slices.Equal(a.Labels, b.Labels) && a.Value == b.Value }) {
			t.Errorf("%s: %v, want %v", name, got[name], want)
		}
	}
	check("fluentbit_input_records_total", Sample{[]string{"name", "a"}, 3}, Sample{[]string{"name", "b"}, 5}, Sample{[]string{"name", "c"}, 0})
	check("sluice_output_dropped_records_total",
		Sample{[]string{"name", "o", "reason", "retry_limit"}, 1}, Sample{[]string{"name", "o", "reason", "shutdown"}, 2})
	check("sluice_output_rejected_records_total", Sample{[]string{"name", "o"}, 4})
	check("fluentbit_output_dropped_records_total", Sample{[]string{"name", "o"}, 3})
	check("sluice_output_access_denied_total", Sample{[]string{"name", "o"}, 1})
	check("sluice_input_dropped_records_total", Sample{[]string{"name", "c", "reason", "oversize"}, 2})
	check("sluice_filter_dropped_records_total", Sample{[]string{"name", "m", "reason", "plugin_error"}, 2})
	if got := o.LastDenied(); got != "AccessDenied: not authorized to perform logs:PutLogEvents" {
		t.Errorf("LastDenied = %q", got)
	}
}
