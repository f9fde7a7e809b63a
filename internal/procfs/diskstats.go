package procfs

import (
	"strconv"
)

// Disk is one line of /proc/diskstats (Documentation/admin-guide/iostats):
// the device name and its counters in kernel order — reads completed,
// reads merged, sectors read, ms reading, writes completed, writes merged,
// sectors written, ms writing, I/Os in progress, ms doing I/O, weighted ms
// doing I/O, then (kernel 4.18+) discards completed, discards merged,
// sectors discarded, ms discarding, then (5.5+) flush requests and ms
// flushing.
type Disk struct {
	Major, Minor uint32
	Device       string
	Stats        [17]uint64
	// N is how many of Stats the line had: 11, 15, 17 (or more, ignored).
	N int
}

// ParseDiskstats parses /proc/diskstats.
func ParseDiskstats(data []byte) ([]Disk, error) {
	var out []Disk
	var scratch [][]byte // reused by every line
	err := lines(data, func(n int, line []byte) error {
		fields := splitFields(scratch, line)
		scratch = fields
		if len(fields) < 14 {
			return lineError(n, line, "%d fields, want major, minor, device and at least 11 counters", len(fields))
		}
		major, err1 := strconv.ParseUint(string(fields[0]), 10, 32)
		minor, err2 := strconv.ParseUint(string(fields[1]), 10, 32)
		if err1 != nil || err2 != nil {
			return lineError(n, line, "the major and minor device numbers are not whole numbers")
		}
		d := Disk{Major: uint32(major), Minor: uint32(minor), Device: string(fields[2])}
		got, err := uints(d.Stats[:], fields[3:])
		if err != nil {
			return lineError(n, line, "%v", err)
		}
		d.N = got
		out = append(out, d)
		return nil
	})
	return out, err
}
