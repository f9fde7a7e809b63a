package monitor

import (
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
)

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? ([0-9.e+-]+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"`)
	unescape   = strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, "\n")
)

// promFamilyText is one parsed metric family.
type promFamilyText struct {
	help, typ string
	samples   map[string]string // canonical labels ({k="v",...} unescaped) -> value
}

// parsePrometheus checks the text exposition format line by line: every
// sample line is well formed, every family has HELP then TYPE before its
// samples, families are contiguous and appear once, and samples are unique.
func parsePrometheus(t *testing.T, body string) (map[string]*promFamilyText, []string) {
	t.Helper()
	families := map[string]*promFamilyText{}
	var order []string
	var cur string
	if !strings.HasSuffix(body, "\n") {
		t.Errorf("body does not end in a newline")
	}
	for n, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, help, _ := strings.Cut(strings.TrimPrefix(line, "# HELP "), " ")
			if families[name] != nil {
				t.Errorf("line %d: family %s appears twice", n+1, name)
			}
			families[name] = &promFamilyText{help: help, samples: map[string]string{}}
			order, cur = append(order, name), name
		case strings.HasPrefix(line, "# TYPE "):
			name, typ, _ := strings.Cut(strings.TrimPrefix(line, "# TYPE "), " ")
			if name != cur || families[name].typ != "" || (typ != "counter" && typ != "gauge") {
				t.Errorf("line %d: TYPE %q out of place or invalid", n+1, line)
				continue
			}
			families[name].typ = typ
		default:
			m := sampleLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("line %d: invalid sample line %q", n+1, line)
				continue
			}
			if m[1] != cur || families[cur].typ == "" {
				t.Errorf("line %d: sample of %s outside its family (current %s)", n+1, m[1], cur)
				continue
			}
			if _, err := strconv.ParseFloat(m[3], 64); err != nil {
				t.Errorf("line %d: value %q: %v", n+1, m[3], err)
			}
			var labels []string
			for _, lp := range labelPair.FindAllStringSubmatch(m[2], -1) {
				labels = append(labels, lp[1]+"="+unescape.Replace(lp[2]))
			}
			key := strings.Join(labels, ",")
			if _, dup := families[cur].samples[key]; dup {
				t.Errorf("line %d: duplicate sample %s{%s}", n+1, cur, key)
			}
			families[cur].samples[key] = m[3]
		}
	}
	return families, order
}

func TestPrometheus(t *testing.T) {
	reg := metrics.NewRegistry()
	in := reg.NewInput("dummy.0", "dummy", 1<<20)
	in.Records.Add(7)
	in.Bytes.Add(700)
	in.BufferedBytes.Add(4096)
	in.Paused.Add(2)
	f := reg.NewFilter("grep.0", "grep")
	f.Records.Add(7)
	f.DropRecords.Add(3)
	f.Errors.Add(1)
	weird := "we\"ird\\out\nput" // every character the format escapes
	out := reg.NewOutput(weird, "stdout")
	out.ProcRecords.Add(4)
	out.ProcBytes.Add(400)
	out.Errors.Add(1)
	out.Retries.Add(1)
	out.RetriedRecords.Add(4)
	out.Drop("retry_limit", 2)
	out.Drop("permanent_error", 1)
	out.Denied("AccessDenied")
	out.ProcBytes.Add(1 << 60) // exact, not rounded through a float64
	s, clock, base := startServer(t, Config{Version: "1.2.3", Commit: "abc"}, reg)
	clock.Set(reg.Start().Add(42 * time.Second))

	resp, body := do(t, "GET", base+"/api/v1/metrics/prometheus")
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/plain; version=0.0.4" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, ct)
	}
	if _, v2 := do(t, "GET", base+"/api/v2/metrics/prometheus"); v2 != body {
		t.Errorf("v1 and v2 bodies differ:\n%s\n---\n%s", body, v2)
	}
	fams, order := parsePrometheus(t, body)

	host, start := "hostname="+s.hostname, strconv.FormatInt(reg.Start().Unix(), 10)
	w := "name=" + weird
	want := []struct {
		family, typ, help, labels, value string
	}{
		{"fluentbit_uptime", "counter", helpUptime, host, "42"},
		{"fluentbit_process_start_time_seconds", "gauge", helpStartTime, host, start},
		{"fluentbit_build_info", "gauge", helpBuildInfo, host + ",version=1.2.3,os=" + fluentBitOS(), start},
		{"fluentbit_input_bytes_total", "counter", "Number of input bytes.", "name=dummy.0", "700"},
		{"fluentbit_input_records_total", "counter", "Number of input records.", "name=dummy.0", "7"},
		{"fluentbit_filter_records_total", "counter", "Total number of new records processed.", "name=grep.0", "7"},
		{"fluentbit_filter_add_records_total", "counter", "Total number of new added records.", "name=grep.0", "0"},
		{"fluentbit_filter_drop_records_total", "counter", "Total number of dropped records.", "name=grep.0", "3"},
		{"fluentbit_output_proc_records_total", "counter", "Number of processed output records.", w, "4"},
		{"fluentbit_output_proc_bytes_total", "counter", "Number of processed output bytes.", w, "1152921504606847376"},
		{"fluentbit_output_errors_total", "counter", "Number of output errors.", w, "1"},
		{"fluentbit_output_retries_total", "counter", "Number of output retries.", w, "1"},
		{"fluentbit_output_retries_failed_total", "counter", "Number of abandoned batches because the maximum number of re-tries was reached.", w, "0"},
		{"fluentbit_output_dropped_records_total", "counter", "Number of dropped records.", w, "3"},
		{"fluentbit_output_retried_records_total", "counter", "Number of retried records.", w, "4"},
		{"sluice_build_info", "gauge", "", "version=1.2.3,commit=abc,go_version=" + runtime.Version(), "1"},
		{"sluice_input_buffered_bytes", "gauge", "", "name=dummy.0", "4096"},
		{"sluice_input_mem_buf_limit_bytes", "gauge", "", "name=dummy.0", "1048576"},
		{"sluice_input_paused_total", "counter", "", "name=dummy.0", "2"},
		{"sluice_input_unrouted_records_total", "counter", "", "name=dummy.0", "0"},
		{"sluice_filter_errors_total", "counter", "", "name=grep.0", "1"},
		{"sluice_output_dropped_records_total", "counter", "", w + ",reason=permanent_error", "1"},
		{"sluice_output_dropped_records_total", "counter", "", w + ",reason=retry_limit", "2"},
		{"sluice_output_access_denied_total", "counter", "", w, "1"},
	}
	for _, tt := range want {
		fam := fams[tt.family]
		if fam == nil {
			t.Errorf("family %s missing", tt.family)
			continue
		}
		if fam.typ != tt.typ || (tt.help != "" && fam.help != tt.help) || fam.help == "" {
			t.Errorf("%s: TYPE %q HELP %q, want %q %q", tt.family, fam.typ, fam.help, tt.typ, tt.help)
		}
		if got, ok := fam.samples[tt.labels]; !ok || got != tt.value {
			t.Errorf("%s{%s} = %q (present %v), want %q; samples %v", tt.family, tt.labels, got, ok, tt.value, fam.samples)
		}
	}
	if len(order) != 26 {
		t.Errorf("%d families, want 26: %v", len(order), order)
	}
	if !strings.Contains(body, `name="we\"ird\\out\nput"`) {
		t.Errorf("label value not escaped as the format requires:\n%s", body)
	}
}

// TestPrometheusEmptyRegistry: families without instances are left out, and
// the process-wide ones are still there.
func TestPrometheusEmptyRegistry(t *testing.T) {
	_, _, base := startServer(t, Config{}, metrics.NewRegistry())
	_, body := do(t, "GET", base+"/api/v2/metrics/prometheus")
	_, order := parsePrometheus(t, body)
	want := "fluentbit_uptime fluentbit_process_start_time_seconds fluentbit_build_info sluice_build_info"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("families %q, want %q", got, want)
	}
}

func TestPromEscaping(t *testing.T) {
	p := &promWriter{}
	p.family("x", "gauge", `a "quoted" \ help`+"\nline")
	p.sample("x", 1, "l", `a "quoted" \ value`+"\nline")
	want := `# HELP x a "quoted" \\ help\nline` + "\n# TYPE x gauge\n" + `x{l="a \"quoted\" \\ value\nline"} 1` + "\n"
	if got := string(p.b); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
