package procfs

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	const good = `cpu  25759 10 7011 13637 24 0 17 40 5 1
cpu0 12000 5 3500 6800 12 0 9 20 5 1
cpu1 13759 5 3511 6837 12 0 8 20 0 0
intr 128507 29 0 0
ctxt 2516482
btime 1796114633
processes 23616
procs_running 16
procs_blocked 0
softirq 1 2 3
`
	st, err := ParseStat([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := Stat{
		Total: CPUTimes{User: 25759, Nice: 10, System: 7011, Idle: 13637, IOWait: 24, SoftIRQ: 17, Steal: 40, Guest: 5, GuestNice: 1},
		CPUs: []CPUTimes{
			{CPU: "0", User: 12000, Nice: 5, System: 3500, Idle: 6800, IOWait: 12, SoftIRQ: 9, Steal: 20, Guest: 5, GuestNice: 1},
			{CPU: "1", User: 13759, Nice: 5, System: 3511, Idle: 6837, IOWait: 12, SoftIRQ: 8, Steal: 20},
		},
		Intr: 128507, Ctxt: 2516482, BootTime: 1796114633, Processes: 23616, ProcsRunning: 16,
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("got %+v\nwant %+v", st, want)
	}
	old, err := ParseStat([]byte("cpu 1 2 3 4\ncpu0 1 2 3 4\n"))
	if err != nil || old.CPUs[0].Idle != 4 || old.Total.IOWait != 0 {
		t.Errorf("a 2.4-kernel cpu line: %+v %v", old, err)
	}
	for _, tc := range []struct{ name, in, err string }{
		{"empty", "", `no all-CPUs "cpu" line`},
		{"no total", "cpu0 1 2 3 4\n", `no all-CPUs`},
		{"short cpu line", "cpu 1 2 3\n", "line 1"},
		{"not a number", "cpu 1 2 x 4\n", `field 3 ("x") is not a whole number`},
		{"negative", "cpu 1 2 3 4\nctxt -5\n", "line 2"},
		{"bad cpu id", "cpu 1 2 3 4\ncpuX 1 2 3 4\n", "CPU number"},
		{"two totals", "cpu 1 2 3 4\ncpu 1 2 3 4\n", "second"},
		{"missing value", "cpu 1 2 3 4\nbtime\n", "no value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseStat([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

func TestParsePIDStat(t *testing.T) {
	// A command name with spaces and a ')' (see proc(5)).
	const line = "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 8 0 12345 1234567 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	s, err := ParsePIDStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if s != (PIDStat{UTime: 250, STime: 75, RSSPages: 2048}) {
		t.Errorf("got %+v", s)
	}
	for _, tc := range []struct{ name, in, err string }{
		{"empty", "", "no (command name)"},
		{"no pid", "(x) S 1", "PID"},
		{"truncated", "1 (x) S 1 2 3", "want at least 22"},
		{"bad utime", strings.Replace(line, " 250 ", " x ", 1), "utime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParsePIDStat([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

func TestParseMeminfo(t *testing.T) {
	f, err := ParseMeminfo([]byte("MemTotal:       16384 kB\nActive(anon):     10 kB\nHugePages_Total:       4\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []MeminfoField{{"MemTotal", 16384 * 1024, true}, {"Active(anon)", 10240, true}, {"HugePages_Total", 4, false}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got %+v", f)
	}
	if v, ok := Meminfo(f, "MemTotal"); !ok || v != 16384*1024 {
		t.Errorf("Meminfo(MemTotal) = %d %v", v, ok)
	}
	for _, in := range []string{"MemTotal 5 kB", "MemTotal: x kB", "MemTotal: 5 MB", "MemTotal: 5 kB extra", ":  5"} {
		if _, err := ParseMeminfo([]byte(in)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: err = %v, want a line 1 error", in, err)
		}
	}
}

func TestParseLoadavgAndVmstat(t *testing.T) {
	l, err := ParseLoadavg([]byte("9.35 5.48 2.32 3/467 12345\n"))
	if err != nil || l != [3]float64{9.35, 5.48, 2.32} {
		t.Errorf("loadavg %v %v", l, err)
	}
	for _, in := range []string{"", "1 2", "1 x 3 1/2 3", "-1 0 0"} {
		if _, err := ParseLoadavg([]byte(in)); err == nil {
			t.Errorf("loadavg %q: no error", in)
		}
	}
	v, err := ParseVmstat([]byte("pgfault 123\nnr_zone_write_pending -2\n"))
	if err != nil || !reflect.DeepEqual(v, []VmstatField{{"pgfault", 123}, {"nr_zone_write_pending", -2}}) {
		t.Errorf("vmstat %v %v", v, err)
	}
	for _, in := range []string{"pgfault", "pgfault 1 2", "pgfault x"} {
		if _, err := ParseVmstat([]byte(in)); err == nil {
			t.Errorf("vmstat %q: no error", in)
		}
	}
}

func TestParseNetDev(t *testing.T) {
	const good = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
  eth0:2000 20 1 2 3 4 5 6 3000 30 7 8 9 10 11 12
`
	d, err := ParseNetDev([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 2 || d[0].Device != "lo" || d[1].Device != "eth0" ||
		d[1].Counters != [16]uint64{2000, 20, 1, 2, 3, 4, 5, 6, 3000, 30, 7, 8, 9, 10, 11, 12} {
		t.Errorf("got %+v", d)
	}
	for _, tc := range []struct{ name, in string }{
		{"no headers", "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"},
		{"short", "a|\nb|\neth0: 1 2 3\n"},
		{"no colon", "a|\nb|\neth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"},
		{"bad number", "a|\nb|\neth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1\n"},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseNetDev([]byte(tc.in)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestParseDiskstats(t *testing.T) {
	const good = ` 254       0 vda 40461 6964 1683514 13832 61487 94834 22553608 60947 0 21404 82101 12691 64 15423528 4017 14998 3304
 253       0 zram0 1 2 3 4 5 6 7 8 9 10 11
`
	d, err := ParseDiskstats([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 2 || d[0].Device != "vda" || d[0].Major != 254 || d[0].N != 17 || d[0].Stats[16] != 3304 ||
		d[1].N != 11 || d[1].Stats[10] != 11 {
		t.Errorf("got %+v", d)
	}
	for _, in := range []string{"8 0 sda 1 2 3", "x 0 sda 1 2 3 4 5 6 7 8 9 10 11", "8 0 sda 1 2 3 4 5 6 7 8 9 10 y"} {
		if _, err := ParseDiskstats([]byte(in)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}

func TestParseMounts(t *testing.T) {
	m, err := ParseMounts([]byte("/dev/vda / ext4 rw,relatime 0 0\nnas:/x /mnt/my\\040disk nfs ro 0 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Mount{{"/dev/vda", "/", "ext4", "rw,relatime"}, {"nas:/x", "/mnt/my disk", "nfs", "ro"}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v", m)
	}
	for _, in := range []string{"/dev/vda / ext4 rw 0", `/dev/vda /a\04 ext4 rw 0 0`, `/dev/vda /a\9xx ext4 rw 0 0`} {
		if _, err := ParseMounts([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
