package procfs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The fuzz targets check that no input makes a parser panic, and that
// what a parser accepts is consistent with what it returns. Seeds are the
// real-shaped files of testdata/proc plus the crashers kept in
// testdata/fuzz.

func seed(f *testing.F, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", "proc", name))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
}

func FuzzParseStat(f *testing.F) {
	seed(f, "stat")
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseStat(b)
		if err == nil {
			for _, c := range st.CPUs {
				if c.CPU == "" {
					t.Errorf("a per-CPU line without a CPU number: %+v", c)
				}
			}
		}
	})
}

func FuzzParsePIDStat(f *testing.F) {
	seed(f, "self_stat")
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParsePIDStat(b) })
}

func FuzzParseMeminfo(f *testing.F) {
	seed(f, "meminfo")
	f.Fuzz(func(t *testing.T, b []byte) {
		fields, err := ParseMeminfo(b)
		if err == nil {
			for _, m := range fields {
				if m.Name == "" {
					t.Error("a field without a name")
				}
			}
		}
	})
}

func FuzzParseLoadavg(f *testing.F) {
	seed(f, "loadavg")
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLoadavg(b)
		if err == nil && (l[0] < 0 || l[1] < 0 || l[2] < 0) {
			t.Errorf("negative load average %v accepted", l)
		}
	})
}

func FuzzParseVmstat(f *testing.F) {
	seed(f, "vmstat")
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseVmstat(b) })
}

func FuzzParseNetDev(f *testing.F) {
	seed(f, "net_dev")
	f.Fuzz(func(t *testing.T, b []byte) {
		devs, err := ParseNetDev(b)
		if err == nil {
			for _, d := range devs {
				if d.Device == "" {
					t.Error("an interface without a name")
				}
			}
		}
	})
}

func FuzzParseDiskstats(f *testing.F) {
	seed(f, "diskstats")
	f.Fuzz(func(t *testing.T, b []byte) {
		disks, err := ParseDiskstats(b)
		if err == nil {
			for _, d := range disks {
				if d.N < 11 {
					t.Errorf("%d counters accepted", d.N)
				}
			}
		}
	})
}

func FuzzParseMounts(f *testing.F) {
	seed(f, "mounts")
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseMounts(b) })
}

// FuzzSplitFields checks the allocation-free field splitter against
// bytes.Fields on the ASCII lines /proc files are made of.
func FuzzSplitFields(f *testing.F) {
	f.Add([]byte("cpu0  1 2\t3 \v4\f5\r"))
	f.Add([]byte("   "))
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, c := range line {
			if c >= 0x80 || c == '\n' {
				return // not a /proc line; bytes.Fields splits on Unicode spaces too
			}
		}
		got, want := splitFields(nil, line), bytes.Fields(line)
		if len(got) != len(want) {
			t.Fatalf("%q: %q, want %q", line, got, want)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%q: %q, want %q", line, got, want)
			}
		}
	})
}
