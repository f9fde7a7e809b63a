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
	err := ScanVmstat(data, func(name []byte, v int64) {
		out = append(out, VmstatField{Name: string(name), Value: v})
	})
	return out, err
}

// ScanVmstat is ParseVmstat calling fn with each field instead of
// collecting them; name aliases data.
func ScanVmstat(data []byte, fn func(name []byte, value int64)) error {
	var scratch [][]byte // reused by every line
	return lines(data, func(n int, line []byte) error {
		fields := splitFields(scratch, line)
		scratch = fields
		if len(fields) != 2 {
			return lineError(n, line, `want "name value"`)
		}
		v, err := strconv.ParseInt(string(fields[1]), 10, 64)
		if err != nil {
			return lineError(n, line, "%q is not a number", fields[1])
		}
		fn(fields[0], v)
		return nil
	})
}
