package nodeexportermetrics

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/procfs"
)

// parseProc reads a file under path.procfs and parses it, errors naming
// the file.
func parseProc[T any](sc *scrape, parse func([]byte) (T, error), parts ...string) (T, error) {
	data, err := sc.proc(parts...)
	if err == nil {
		var v T
		if v, err = parse(data); err == nil {
			return v, nil
		}
		err = fmt.Errorf("parse %s: %w", filepath.Join(append([]string{sc.procfs}, parts...)...), err)
	}
	var zero T
	return zero, err
}

// Metric names, labels and units follow node_exporter 1.x
// (collector/*_linux.go): times in seconds, sizes in bytes.

func collectCPU(sc *scrape) error {
	st, err := parseProc(sc, procfs.ParseStat, "stat")
	if err != nil {
		return err
	}
	const hz = procfs.UserHZ
	for _, c := range st.CPUs {
		for _, m := range [...]struct {
			mode  string
			ticks uint64
		}{{"idle", c.Idle}, {"iowait", c.IOWait}, {"irq", c.IRQ}, {"nice", c.Nice},
			{"softirq", c.SoftIRQ}, {"steal", c.Steal}, {"system", c.System}, {"user", c.User}} {
			sc.counter("node_cpu_seconds_total", float64(m.ticks)/hz, "cpu", c.CPU, "mode", m.mode)
		}
		sc.counter("node_cpu_guest_seconds_total", float64(c.GuestNice)/hz, "cpu", c.CPU, "mode", "nice")
		sc.counter("node_cpu_guest_seconds_total", float64(c.Guest)/hz, "cpu", c.CPU, "mode", "user")
	}
	return nil
}

func collectStat(sc *scrape) error {
	st, err := parseProc(sc, procfs.ParseStat, "stat")
	if err != nil {
		return err
	}
	sc.gauge("node_boot_time_seconds", float64(st.BootTime))
	sc.counter("node_context_switches_total", float64(st.Ctxt))
	sc.counter("node_forks_total", float64(st.Processes))
	sc.counter("node_intr_total", float64(st.Intr))
	sc.gauge("node_procs_blocked", float64(st.ProcsBlocked))
	sc.gauge("node_procs_running", float64(st.ProcsRunning))
	return nil
}

// reParens turns meminfo's "Active(anon)" into node_exporter's
// "Active_anon".
var reParens = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\((.*)\)`) })

func collectMeminfo(sc *scrape) error {
	fields, err := parseProc(sc, procfs.ParseMeminfo, "meminfo")
	if err != nil {
		return err
	}
	for _, f := range fields {
		name, ok := sc.memNames[f.Name]
		if !ok {
			name = f.Name
			if strings.IndexByte(name, '(') >= 0 {
				name = reParens().ReplaceAllString(name, "_${1}")
			}
			if f.KB {
				name += "_bytes"
			}
			name = "node_memory_" + name
			sc.memNames[f.Name] = name
		}
		sc.gauge(name, float64(f.Value))
	}
	return nil
}

func collectLoadavg(sc *scrape) error {
	l, err := parseProc(sc, procfs.ParseLoadavg, "loadavg")
	if err != nil {
		return err
	}
	sc.gauge("node_load1", l[0])
	sc.gauge("node_load5", l[1])
	sc.gauge("node_load15", l[2])
	return nil
}

// metricName returns prefix+name, remembered in names from scrape to
// scrape.
func metricName(names map[string]string, prefix string, name []byte) string {
	if m, ok := names[string(name)]; ok {
		return m
	}
	m := prefix + string(name)
	names[string(name)] = m
	return m
}

// reVmstat is node_exporter's default --collector.vmstat.fields.
var reVmstat = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(oom_kill|pgpg|pswp|pg.*fault).*`) })

func collectVmstat(sc *scrape) error {
	data, err := sc.proc("vmstat")
	if err != nil {
		return err
	}
	err = procfs.ScanVmstat(data, func(name []byte, v int64) {
		if reVmstat().Match(name) {
			sc.sample(metricName(sc.vmNames, "node_vmstat_", name), "untyped", float64(v))
		}
	})
	if err != nil {
		return fmt.Errorf("parse %s/vmstat: %w", sc.procfs, err)
	}
	return nil
}

func collectNetdev(sc *scrape) error {
	devs, err := parseProc(sc, procfs.ParseNetDev, "net", "dev")
	if err != nil {
		return err
	}
	for _, d := range devs {
		for i, v := range d.Counters {
			sc.counter(netdevNames[i], float64(v), "device", d.Device)
		}
	}
	return nil
}

var netdevNames = func() (n [16]string) {
	for i, f := range procfs.NetDevFields {
		n[i] = "node_network_" + f + "_total"
	}
	return n
}()

// diskMetrics names the /proc/diskstats counters in kernel order, with the
// factor to node_exporter's unit (sectors of 512 bytes, milliseconds).
var diskMetrics = [17]struct {
	name, typ string
	scale     float64
}{
	{"node_disk_reads_completed_total", "counter", 1},
	{"node_disk_reads_merged_total", "counter", 1},
	{"node_disk_read_bytes_total", "counter", 512},
	{"node_disk_read_time_seconds_total", "counter", .001},
	{"node_disk_writes_completed_total", "counter", 1},
	{"node_disk_writes_merged_total", "counter", 1},
	{"node_disk_written_bytes_total", "counter", 512},
	{"node_disk_write_time_seconds_total", "counter", .001},
	{"node_disk_io_now", "gauge", 1},
	{"node_disk_io_time_seconds_total", "counter", .001},
	{"node_disk_io_time_weighted_seconds_total", "counter", .001},
	{"node_disk_discards_completed_total", "counter", 1},
	{"node_disk_discards_merged_total", "counter", 1},
	{"node_disk_discarded_sectors_total", "counter", 1},
	{"node_disk_discard_time_seconds_total", "counter", .001},
	{"node_disk_flush_requests_total", "counter", 1},
	{"node_disk_flush_requests_time_seconds_total", "counter", .001},
}

func collectDiskstats(sc *scrape) error {
	disks, err := parseProc(sc, procfs.ParseDiskstats, "diskstats")
	if err != nil {
		return err
	}
	for _, d := range disks {
		if skip, _ := sc.skipDevice.MatchString(d.Device); skip { // a pattern that gives up ignores nothing
			continue
		}
		for i := range d.N {
			m := &diskMetrics[i]
			sc.sample(m.name, m.typ, float64(d.Stats[i])*m.scale, "device", d.Device)
		}
	}
	return nil
}

func collectTime(sc *scrape) error {
	sc.gauge("node_time_seconds", float64(sc.now.UnixNano())/1e9)
	zone, offset := sc.now.Zone()
	sc.gauge("node_time_zone_offset_seconds", float64(offset), "time_zone", zone)
	// Clock sources, from sysfs; a kernel or container without them has
	// none, which is not an error (node_exporter skips them too).
	for dev := 0; ; dev++ {
		dir := "clocksource" + strconv.Itoa(dev)
		avail, _, err := sc.read(sc.sysfs, "devices", "system", "clocksource", dir, "available_clocksource")
		if err != nil {
			return nil
		}
		device := strconv.Itoa(dev)
		for _, cs := range strings.Fields(string(avail)) {
			sc.gauge("node_time_clocksource_available_info", 1, "clocksource", cs, "device", device)
		}
		cur, _, err := sc.read(sc.sysfs, "devices", "system", "clocksource", dir, "current_clocksource")
		if err != nil {
			continue
		}
		if cs := strings.TrimSpace(string(cur)); cs != "" {
			sc.gauge("node_time_clocksource_current_info", 1, "clocksource", cs, "device", device)
		}
	}
}
