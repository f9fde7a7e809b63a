package nodeexportermetrics

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func fakeTree(t testing.TB, kv ...string) *Input {
	t.Helper()
	kv = append([]string{"path.procfs", "testdata/proc", "path.sysfs", "testdata/sys"}, kv...)
	in, err := New(plugintest.Settings(t, Spec(), kv...))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

type metricRecord struct {
	Metric string            `json:"metric"`
	Type   string            `json:"type"`
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
}

func scrapeRecords(t *testing.T, in *Input, now time.Time) []metricRecord {
	t.Helper()
	in.Scrape(now)
	data, n := in.Records()
	var out []metricRecord
	for _, body := range plugintest.Bodies(t, data) {
		var r metricRecord
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		out = append(out, r)
	}
	if len(out) != n {
		t.Fatalf("%d records decoded, %d counted", len(out), n)
	}
	return out
}

// line renders a record as a Prometheus series line, labels sorted.
func (r metricRecord) line() string {
	var ls []string
	for k, v := range r.Labels {
		ls = append(ls, k+"="+v)
	}
	slices.Sort(ls)
	return r.Type + " " + r.Metric + "{" + strings.Join(ls, ",") + "} " + strconv.FormatFloat(r.Value, 'f', -1, 64)
}

func TestScrapeFakeTree(t *testing.T) {
	in := fakeTree(t)
	recs := scrapeRecords(t, in, time.Unix(1_700_000_000, 500_000_000).UTC())
	var got []string
	for _, r := range recs {
		got = append(got, r.line())
	}
	for _, want := range []string{
		// cpu: ticks of USER_HZ as seconds, per CPU and mode.
		"counter node_cpu_seconds_total{cpu=0,mode=user} 120",
		"counter node_cpu_seconds_total{cpu=1,mode=idle} 68.37",
		"counter node_cpu_seconds_total{cpu=0,mode=steal} 0.2",
		"counter node_cpu_guest_seconds_total{cpu=0,mode=user} 0.05",
		"counter node_cpu_guest_seconds_total{cpu=0,mode=nice} 0.01",
		// meminfo: kB as bytes; parentheses as node_exporter rewrites them.
		"gauge node_memory_MemTotal_bytes{} 16777216000",
		"gauge node_memory_Active_anon_bytes{} 2097152",
		"gauge node_memory_HugePages_Total{} 4",
		"gauge node_load1{} 9.35",
		"gauge node_load15{} 2.32",
		"untyped node_vmstat_pgfault{} 2000",
		"untyped node_vmstat_oom_kill{} 1",
		"counter node_network_receive_bytes_total{device=eth0} 2000",
		"counter node_network_transmit_colls_total{device=eth0} 10",
		"counter node_network_transmit_compressed_total{device=lo} 0",
		// diskstats: sectors as bytes, ms as seconds; partitions skipped.
		"counter node_disk_read_bytes_total{device=vda} 861959168",
		"counter node_disk_read_time_seconds_total{device=vda} 13.832",
		"gauge node_disk_io_now{device=vda} 0",
		"counter node_disk_flush_requests_time_seconds_total{device=vda} 3.3040000000000003", // ms * .001, as node_exporter computes it
		"counter node_disk_reads_completed_total{device=zram0} 1",
		"gauge node_boot_time_seconds{} 1796114633",
		"counter node_context_switches_total{} 2516482",
		"counter node_forks_total{} 23616",
		"counter node_intr_total{} 128507",
		"gauge node_procs_running{} 16",
		"gauge node_procs_blocked{} 1",
		"gauge node_time_seconds{} 1700000000.5",
		"gauge node_time_zone_offset_seconds{time_zone=UTC} 0",
		"gauge node_time_clocksource_available_info{clocksource=kvm-clock,device=0} 1",
		"gauge node_time_clocksource_current_info{clocksource=tsc,device=0} 1",
		// A mount that cannot be measured.
		"gauge node_filesystem_device_error{device=nas:/gone,fstype=nfs,mountpoint=/nonexistent/sluice test} 1",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s", want)
		}
	}
	count := map[string]int{}
	for _, r := range recs {
		count[r.Metric]++
	}
	for metric, n := range map[string]int{
		"node_cpu_seconds_total":               16, // 2 CPUs x 8 modes; no all-CPUs series
		"node_network_receive_bytes_total":     2,
		"node_disk_reads_completed_total":      2, // vda and zram0: not vda1 or loop0
		"node_disk_flush_requests_total":       1, // zram0's kernel line has 11 counters
		"node_vmstat_nr_free_pages":            0, // not in node_exporter's default fields
		"node_filesystem_size_bytes":           1, // / once; proc and overlay ignored
		"node_uname_info":                      1,
		"node_time_clocksource_available_info": 3,
	} {
		if count[metric] != n {
			t.Errorf("%d %s samples, want %d", count[metric], metric, n)
		}
	}
	for _, r := range recs {
		if r.Metric == "node_uname_info" && (r.Labels["sysname"] != "Linux" || len(r.Labels) != 6) {
			t.Errorf("uname labels %v", r.Labels)
		}
		if r.Metric == "node_filesystem_readonly" && r.Labels["mountpoint"] == "/" && r.Labels["fstype"] != "ext4" {
			t.Errorf("filesystem labels %v", r.Labels)
		}
	}
}

func TestCollectorsAndErrors(t *testing.T) {
	in := fakeTree(t, "metrics", "loadavg, cpufreq,LOADAVG")
	if !slices.Equal(in.names, []string{"loadavg"}) {
		t.Errorf("collectors %v, want loadavg (cpufreq skipped, duplicates once)", in.names)
	}
	if recs := scrapeRecords(t, in, time.Now()); len(recs) != 3 {
		t.Errorf("%d records, want node_load1, 5 and 15", len(recs))
	}
	for _, tc := range []struct{ kv []string }{
		{[]string{"metrics", "cpu,bogus"}},
		{[]string{"scrape_interval", "0"}},
	} {
		if _, err := New(plugintest.Settings(t, Spec(), tc.kv...)); err == nil {
			t.Errorf("%v: no error", tc.kv)
		}
	}
	if _, err := plugintest.TrySettings(Spec(), "diskstats.ignore_device_regex", "(("); err == nil {
		t.Error("a bad regex accepted")
	}
	// A missing procfs: the collectors that read it emit nothing, the
	// others still do.
	in = fakeTree(t, "path.procfs", t.TempDir(), "metrics", "cpu,meminfo,uname,time")
	recs := scrapeRecords(t, in, time.Now())
	for _, r := range recs {
		if strings.HasPrefix(r.Metric, "node_cpu") || strings.HasPrefix(r.Metric, "node_memory") {
			t.Errorf("sample %s from a missing procfs", r.Metric)
		}
	}
	if len(recs) < 2 || !in.failing["cpu"] || !in.failing["meminfo"] || in.failing["uname"] {
		t.Errorf("records %d, failing %v", len(recs), in.failing)
	}
}

func TestCorruptFileFailsOnlyItsCollector(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"stat":    "cpu 1 2 3 4\ncpu0 1 2 x 4\n",
		"loadavg": "1 2 3 1/1 1\n",
	})
	in := fakeTree(t, "path.procfs", dir, "metrics", "cpu,loadavg")
	recs := scrapeRecords(t, in, time.Now())
	if len(recs) != 3 || !in.failing["cpu"] {
		t.Errorf("%d records (want the 3 loadavg ones), failing %v", len(recs), in.failing)
	}
}

func TestRun(t *testing.T) {
	in := fakeTree(t, "scrape_interval", "20ms", "metrics", "loadavg")
	in.tag = "node"
	ctx, cancel := context.WithCancel(context.Background())
	var c plugintest.Collector
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, &c) }()
	c.WaitFor(t, 6) // at start and one interval later
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c.Tags()[0] != "node" {
		t.Errorf("tag %q", c.Tags()[0])
	}
}

func BenchmarkScrape(b *testing.B) {
	in, err := New(plugintest.Settings(b, Spec()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		in.Scrape(time.Now())
	}
	_, n := in.Records()
	b.ReportMetric(float64(n), "samples/op")
}

// TestRunPerCollectorInterval: a collector with its own
// collector.NAME.scrape_interval runs on it; the others on scrape_interval.
func TestRunPerCollectorInterval(t *testing.T) {
	in := fakeTree(t, "scrape_interval", "1h", "collector.loadavg.scrape_interval", "20ms", "metrics", "loadavg,stat")
	ctx, cancel := context.WithCancel(context.Background())
	var c plugintest.Collector
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, &c) }()
	recs := c.WaitFor(t, 6+3*4) // stat's 6 and loadavg's 3 at start, then loadavg 3 more times
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range recs {
		var m metricRecord
		if err := json.Unmarshal([]byte(r), &m); err != nil {
			t.Fatal(err)
		}
		n[m.Metric]++
	}
	if n["node_boot_time_seconds"] != 1 || n["node_load1"] < 4 {
		t.Errorf("runs: stat %d (want 1 in an hour), loadavg %d (want every 20ms)", n["node_boot_time_seconds"], n["node_load1"])
	}
}
