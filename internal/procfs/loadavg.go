package procfs

import (
	"bytes"
	"fmt"
	"strconv"
)

// ParseLoadavg parses /proc/loadavg: the 1, 5 and 15 minute load averages.
func ParseLoadavg(data []byte) ([3]float64, error) {
	var l [3]float64
	fields := bytes.Fields(data)
	if len(fields) < 3 {
		return l, fmt.Errorf("%q: want three load averages", head(data))
	}
	for i := range l {
		v, err := strconv.ParseFloat(string(fields[i]), 64)
		if err != nil || v < 0 {
			return l, fmt.Errorf("%q: field %d (%q) is not a load average", head(data), i+1, fields[i])
		}
		l[i] = v
	}
	return l, nil
}

// VmstatField is one line of /proc/vmstat.
type VmstatField struct {
	Name  string
	Value int64
}

// ParseVmstat parses /proc/vmstat: "name value" lines (a few counters,
// such as nr_zone_* drifts, can be negative).
func ParseVmstat(data []byte) ([]VmstatField, error) {
	var out []VmstatField
	err := lines(data, func(n int, line []byte) error {
		fields := bytes.Fields(line)
		if len(fields) != 2 {
			return lineError(n, line, `want "name value"`)
		}
		v, err := strconv.ParseInt(string(fields[1]), 10, 64)
		if err != nil {
			return lineError(n, line, "%q is not a number", fields[1])
		}
		out = append(out, VmstatField{Name: string(fields[0]), Value: v})
		return nil
	})
	return out, err
}
