package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostMetricsCPUToCloudWatchEMF runs the shipped
// examples/host-metrics-emf.conf (cpu and mem inputs, cloudwatch_logs in
// EMF mode) with shorter intervals and the emulator as endpoint, and
// checks the EMF documents that arrive: Fluent Bit's cpu and mem fields,
// each declared as a metric of the namespace with the hostname dimension,
// percentages within 0-100 and Mem.total equal to /proc/meminfo's.
func TestHostMetricsCPUToCloudWatchEMF(t *testing.T) {
	example, err := os.ReadFile("../examples/host-metrics-emf.conf")
	if err != nil {
		t.Fatal(err)
	}
	emu := cwlStartEmulator(t)
	t.Setenv("HOSTNAME", "e2e-host")
	cfg := strings.ReplaceAll(string(example), "Interval_Sec  10", "Interval_Sec  1")
	cfg = strings.Replace(cfg, "Flush      5", "Flush      0.2", 1)
	cfg = strings.Replace(cfg, "region             us-east-1", "region             ap-northeast-1", 1)
	if !strings.HasSuffix(strings.TrimSpace(cfg), "metric_dimensions  hostname") {
		t.Fatal("the example's [OUTPUT] is no longer last; update this test")
	}
	path := writeFile(t, t.TempDir(), "host.conf", cfg+"    endpoint "+emu.URL+"\n")
	p := start(t, nil, "-c", path)
	cwlWaitFor(t, p, emu, "/hosts/metrics", "usage-host.cpu", 3, 30*time.Second)
	cwlWaitFor(t, p, emu, "/hosts/metrics", "usage-host.mem", 2, 30*time.Second)
	cwlStop(t, p)
	cwlNoRejections(t, emu)
	if emu.Stats().EMFCalls == 0 {
		t.Error("no PutLogEvents call carried x-amzn-logs-format: json/emf")
	}

	cpus := 0
	for _, ln := range strings.Split(readProc(t, "/proc/stat"), "\n") {
		if regexp.MustCompile(`^cpu[0-9]+ `).MatchString(ln) {
			cpus++
		}
	}
	wantCPU := []string{"cpu_p", "user_p", "system_p"}
	for i := range cpus {
		wantCPU = append(wantCPU, fmt.Sprintf("cpu%d.p_cpu", i), fmt.Sprintf("cpu%d.p_user", i), fmt.Sprintf("cpu%d.p_system", i))
	}
	for _, doc := range cwlRecords(t, emu, "/hosts/metrics", "usage-host.cpu") {
		names := hmEMFCheck(t, doc)
		if strings.Join(names, ",") != strings.Join(wantCPU, ",") {
			t.Errorf("cpu metrics %v, want %v", names, wantCPU)
		}
		for _, k := range wantCPU {
			v, ok := doc[k].(float64)
			// A share of capacity: 0-100, give or take the 10 ms tick
			// granularity of /proc/stat at each end of the 1 s interval.
			if !ok || v < 0 || v > 102 {
				t.Errorf("%s = %v, want a percentage", k, doc[k])
			}
		}
	}
	memTotal := hmMeminfoKB(t, "MemTotal")
	for _, doc := range cwlRecords(t, emu, "/hosts/metrics", "usage-host.mem") {
		names := hmEMFCheck(t, doc)
		if want := "Mem.total,Mem.used,Mem.free,Swap.total,Swap.used,Swap.free"; strings.Join(names, ",") != want {
			t.Errorf("mem metrics %v, want %s", names, want)
		}
		if doc["Mem.total"] != float64(memTotal) {
			t.Errorf("Mem.total %v, /proc/meminfo says %d kB", doc["Mem.total"], memTotal)
		}
		if used, _ := doc["Mem.used"].(float64); used <= 0 || used > float64(memTotal) {
			t.Errorf("Mem.used %v of %d", doc["Mem.used"], memTotal)
		}
	}
}

// hmEMFCheck checks doc's EMF metadata (namespace, hostname dimension, a
// recent timestamp) and returns its metric names in order.
func hmEMFCheck(t *testing.T, doc map[string]any) []string {
	t.Helper()
	aws, _ := doc["_aws"].(map[string]any)
	ts, _ := aws["Timestamp"].(float64)
	if d := time.Since(time.UnixMilli(int64(ts))); d < 0 || d > time.Minute {
		t.Errorf("_aws.Timestamp %v is not a recent time in ms", aws["Timestamp"])
	}
	directives, _ := aws["CloudWatchMetrics"].([]any)
	if len(directives) != 1 {
		t.Fatalf("document without one CloudWatchMetrics directive: %v", doc)
	}
	d := directives[0].(map[string]any)
	if d["Namespace"] != "Host/Usage" || fmt.Sprint(d["Dimensions"]) != "[[hostname]]" {
		t.Errorf("directive %v, want namespace Host/Usage and dimensions [[hostname]]", d)
	}
	if doc["hostname"] != "e2e-host" {
		t.Errorf("hostname %v, want e2e-host (from record_modifier)", doc["hostname"])
	}
	var names []string
	for _, m := range d["Metrics"].([]any) {
		names = append(names, m.(map[string]any)["Name"].(string))
	}
	return names
}

func readProc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	return string(b)
}

func hmMeminfoKB(t *testing.T, field string) uint64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + field + `:\s+([0-9]+) kB$`).FindStringSubmatch(readProc(t, "/proc/meminfo"))
	if m == nil {
		t.Fatalf("no %s in /proc/meminfo", field)
	}
	v, _ := strconv.ParseUint(m[1], 10, 64)
	return v
}

// hmCollectors are the collectors both Sluice and node_exporter run in
// TestNodeExporterMetricsMatchNodeExporter.
var hmCollectors = []string{"cpu", "meminfo", "loadavg", "diskstats", "filesystem", "netdev", "uname", "stat", "time", "vmstat"}

// hmScrape parses a Prometheus text scrape into series (name{sorted
// labels}) and values, skipping comments.
func hmScrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	code, body, err := getText(url)
	if err != nil || code != 200 {
		t.Fatalf("GET %s: %d %v", url, code, err)
	}
	out := map[string]float64{}
	line := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	label := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || sc.Text() == "" {
			continue
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("%s: unparsable line %q", url, sc.Text())
		}
		var ls []string
		for _, l := range label.FindAllStringSubmatch(m[2], -1) {
			ls = append(ls, l[1]+"="+strconv.Quote(l[2]))
		}
		slices.Sort(ls)
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("%s: value of %q", url, sc.Text())
		}
		out[m[1]+"{"+strings.Join(ls, ",")+"}"] = v
	}
	return out
}

// TestNodeExporterMetricsMatchNodeExporter runs Prometheus's own
// node_exporter (Debian's prometheus-node-exporter, installed by make deps)
// and Sluice's node_exporter_metrics -> prometheus_exporter with the same
// collectors on the same host, scrapes both, and checks that every series
// (name and label set) Sluice exports is one node_exporter exports too,
// and that the values that do not move agree: node_memory_MemTotal_bytes,
// the node_uname_info labels, the CPU count and node_boot_time_seconds.
func TestNodeExporterMetricsMatchNodeExporter(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("node_exporter_metrics reads Linux procfs")
	}
	bin, err := exec.LookPath("prometheus-node-exporter")
	if err != nil {
		if bin, err = exec.LookPath("node_exporter"); err != nil {
			fwdNeed(t, "prometheus-node-exporter is not installed: run `make deps` (make e2e does)")
		}
	}
	nePort, expPort := freePort(t), freePort(t)
	args := []string{fmt.Sprintf("--web.listen-address=127.0.0.1:%d", nePort), "--collector.disable-defaults",
		// Debian's default mount point filter differs from Fluent Bit's;
		// both sides get the same one. Debian also leaves out lo, which
		// Fluent Bit (and upstream node_exporter) report.
		`--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`,
		`--collector.netdev.device-exclude=^$`}
	for _, c := range hmCollectors {
		args = append(args, "--collector."+c)
	}
	ne := exec.Command(bin, args...)
	var neErr syncBuffer
	ne.Stderr = &neErr
	if err := ne.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ne.Process.Kill(); _ = ne.Wait() })

	cfg := writeFile(t, t.TempDir(), "node.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  2

[INPUT]
    Name             node_exporter_metrics
    Tag              node_metrics
    scrape_interval  1
    metrics          %s
    filesystem.ignore_mount_point_regex  ^/(dev|proc|sys|run|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)

[OUTPUT]
    Name   prometheus_exporter
    Match  node_metrics
    Host   127.0.0.1
    Port   %d
`, strings.Join(hmCollectors, ","), expPort))
	p := start(t, nil, "-c", cfg)
	sluiceURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", expPort)
	neURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", nePort)
	eventually(t, 20*time.Second, "both exporters to serve node_load1", func() bool {
		_, a, err1 := getText(sluiceURL)
		_, b, err2 := getText(neURL)
		return err1 == nil && err2 == nil && strings.Contains(a, "\nnode_load1 ") && strings.Contains(b, "\nnode_load1 ")
	})
	ours, theirs := hmScrape(t, sluiceURL), hmScrape(t, neURL)

	families := map[string]int{}
	for series := range ours {
		name := series[:strings.IndexByte(series, '{')]
		families[name]++
		if _, ok := theirs[series]; !ok {
			t.Errorf("Sluice exports %s; node_exporter does not", series)
		}
	}
	for _, f := range []string{"node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_load1", "node_load15",
		"node_network_receive_bytes_total", "node_uname_info", "node_boot_time_seconds", "node_context_switches_total",
		"node_time_seconds", "node_vmstat_pgfault", "node_disk_reads_completed_total", "node_filesystem_size_bytes"} {
		if families[f] == 0 {
			t.Errorf("Sluice exports no %s", f)
		}
	}
	t.Logf("%d series from Sluice, all among node_exporter's %d", len(ours), len(theirs))
	// The values that do not move between two scrapes.
	for _, series := range []string{"node_memory_MemTotal_bytes{}", "node_boot_time_seconds{}"} {
		if ours[series] != theirs[series] || ours[series] == 0 {
			t.Errorf("%s: Sluice %v, node_exporter %v", series, ours[series], theirs[series])
		}
	}
	uname := func(m map[string]float64) string {
		for s := range m {
			if strings.HasPrefix(s, "node_uname_info{") {
				return s
			}
		}
		return ""
	}
	if a, b := uname(ours), uname(theirs); a != b || a == "" {
		t.Errorf("node_uname_info: Sluice %s, node_exporter %s", a, b)
	}
	count := func(m map[string]float64) int {
		n := 0
		for s := range m {
			if strings.HasPrefix(s, `node_cpu_seconds_total{`) && strings.Contains(s, `mode="idle"`) {
				n++
			}
		}
		return n
	}
	if a, b := count(ours), count(theirs); a != b || a == 0 {
		t.Errorf("CPUs: Sluice %d, node_exporter %d", a, b)
	}
	if t.Failed() {
		t.Logf("node_exporter stderr:\n%s", neErr.String())
	}
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d; stderr:\n%s", code, p.stderr.String())
	}
}
