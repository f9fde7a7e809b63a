package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// CPUTimes is one cpu line of /proc/stat: time spent in each mode, in
// USER_HZ ticks. Guest and GuestNice are also counted in User and Nice.
type CPUTimes struct {
	// CPU is "" for the all-CPUs line, else the CPU number ("0", "1", ...).
	CPU                                                   string
	User, Nice, System, Idle, IOWait, IRQ, SoftIRQ, Steal uint64
	Guest, GuestNice                                      uint64
}

// Stat is /proc/stat.
type Stat struct {
	Total CPUTimes   // the "cpu" line
	CPUs  []CPUTimes // the "cpuN" lines, in file order
	// Intr is the first field of the intr line: interrupts serviced.
	Intr uint64
	// Ctxt is context switches; BootTime the boot time in seconds since
	// the epoch; Processes the forks since boot.
	Ctxt, BootTime, Processes uint64
	// ProcsRunning and ProcsBlocked are the runnable and blocked processes.
	ProcsRunning, ProcsBlocked uint64
}

// ParseStat parses /proc/stat. The all-CPUs "cpu" line is required; a cpu
// line needs user, nice, system and idle (later fields are optional, as on
// older kernels).
func ParseStat(data []byte) (Stat, error) {
	var st Stat
	total := false
	var scratch [][]byte // reused by every line
	err := lines(data, func(n int, line []byte) error {
		fields := splitFields(scratch, line)
		scratch = fields
		key := fields[0]
		switch {
		case bytes.HasPrefix(key, []byte("cpu")):
			var v [10]uint64
			got, err := uints(v[:], fields[1:])
			if err != nil {
				return lineError(n, line, "%v", err)
			}
			if got < 4 {
				return lineError(n, line, "a cpu line needs at least user, nice, system and idle times")
			}
			t := CPUTimes{User: v[0], Nice: v[1], System: v[2], Idle: v[3], IOWait: v[4], IRQ: v[5],
				SoftIRQ: v[6], Steal: v[7], Guest: v[8], GuestNice: v[9]}
			if len(key) == 3 {
				if total {
					return lineError(n, line, "a second all-CPUs cpu line")
				}
				st.Total, total = t, true
				return nil
			}
			id := key[3:]
			if _, err := strconv.ParseUint(string(id), 10, 32); err != nil {
				return lineError(n, line, "%q is not cpu followed by a CPU number", key)
			}
			t.CPU = string(id)
			st.CPUs = append(st.CPUs, t)
		case bytes.Equal(key, []byte("intr")):
			return statValue(n, line, fields, &st.Intr)
		case bytes.Equal(key, []byte("ctxt")):
			return statValue(n, line, fields, &st.Ctxt)
		case bytes.Equal(key, []byte("btime")):
			return statValue(n, line, fields, &st.BootTime)
		case bytes.Equal(key, []byte("processes")):
			return statValue(n, line, fields, &st.Processes)
		case bytes.Equal(key, []byte("procs_running")):
			return statValue(n, line, fields, &st.ProcsRunning)
		case bytes.Equal(key, []byte("procs_blocked")):
			return statValue(n, line, fields, &st.ProcsBlocked)
		}
		return nil // page, swap, softirq...: not read
	})
	if err != nil {
		return Stat{}, err
	}
	if !total {
		return Stat{}, errors.New(`no all-CPUs "cpu" line`)
	}
	return st, nil
}

func statValue(n int, line []byte, fields [][]byte, dst *uint64) error {
	if len(fields) < 2 {
		return lineError(n, line, "no value after %q", fields[0])
	}
	v, err := strconv.ParseUint(string(fields[1]), 10, 64)
	if err != nil {
		return lineError(n, line, "%q is not a whole number", fields[1])
	}
	*dst = v
	return nil
}

// PIDStat is what the inputs read of /proc/PID/stat: the process's CPU
// times (USER_HZ ticks) and resident set size (pages).
type PIDStat struct {
	UTime, STime uint64
	RSSPages     int64
}

// ParsePIDStat parses /proc/PID/stat. The command name (field 2) is
// bracketed and may hold spaces and parentheses, so fields are counted
// from its last ')'.
func ParsePIDStat(data []byte) (PIDStat, error) {
	data = bytes.TrimSpace(data)
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || end < open {
		return PIDStat{}, fmt.Errorf("%q: no (command name) after the PID", head(data))
	}
	if _, err := strconv.ParseUint(string(bytes.TrimSpace(data[:open])), 10, 32); err != nil {
		return PIDStat{}, fmt.Errorf("%q: does not start with a PID", head(data))
	}
	// Field 3 (state) onwards; utime and stime are fields 14 and 15, rss 24.
	fields := bytes.Fields(data[end+1:])
	if len(fields) < 22 {
		return PIDStat{}, fmt.Errorf("%q: %d fields after the command name, want at least 22", head(data), len(fields))
	}
	var s PIDStat
	var err error
	if s.UTime, err = strconv.ParseUint(string(fields[11]), 10, 64); err != nil {
		return PIDStat{}, fmt.Errorf("utime (field 14) %q is not a whole number", fields[11])
	}
	if s.STime, err = strconv.ParseUint(string(fields[12]), 10, 64); err != nil {
		return PIDStat{}, fmt.Errorf("stime (field 15) %q is not a whole number", fields[12])
	}
	if s.RSSPages, err = strconv.ParseInt(string(fields[21]), 10, 64); err != nil {
		return PIDStat{}, fmt.Errorf("rss (field 24) %q is not a number", fields[21])
	}
	return s, nil
}

func head(b []byte) []byte {
	if len(b) > 60 {
		return b[:60]
	}
	return b
}

// ReadPIDStat reads and parses PID's stat file under root (the procfs
// mount), with errors an operator can act on.
func ReadPIDStat(root string, pid int64) (PIDStat, error) {
	path := filepath.Join(root, strconv.FormatInt(pid, 10), "stat")
	data, err := os.ReadFile(path)
	if err != nil {
		return PIDStat{}, fmt.Errorf("read the stats of PID %d: %w (is the process running, and is its /proc visible to Sluice?)", pid, err)
	}
	st, err := ParsePIDStat(data)
	if err != nil {
		return PIDStat{}, fmt.Errorf("parse %s: %w", path, err)
	}
	return st, nil
}
