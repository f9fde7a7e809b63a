package procfs

import (
	"bytes"
	"fmt"
	"strconv"
)

// UserHZ is the unit of the CPU times in /proc/stat and /proc/PID/stat
// (USER_HZ, 100 on every Linux architecture; proc(5)).
const UserHZ = 100

// lines calls fn with each non-empty line of data and its 1-based number,
// stopping at fn's first error.
func lines(data []byte, fn func(n int, line []byte) error) error {
	n := 0
	for len(data) > 0 {
		n++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return nil
}

// splitFields splits line at runs of spaces and tabs into dst (reused), as
// bytes.Fields does without allocating a new slice per line.
func splitFields(dst [][]byte, line []byte) [][]byte {
	dst = dst[:0]
	start := -1
	for i, c := range line {
		if c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' {
			if start >= 0 {
				dst = append(dst, line[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, line[start:])
	}
	return dst
}

// lineError says which line failed and why.
func lineError(n int, line []byte, format string, args ...any) error {
	if len(line) > 80 {
		line = append(line[:77:77], "..."...)
	}
	return fmt.Errorf("line %d %q: %s", n, line, fmt.Sprintf(format, args...))
}

// uints parses fields as unsigned decimal numbers into dst.
func uints(dst []uint64, fields [][]byte) (int, error) {
	for i, f := range fields {
		if i == len(dst) {
			return i, nil
		}
		v, err := strconv.ParseUint(string(f), 10, 64)
		if err != nil {
			return i, fmt.Errorf("field %d (%q) is not a whole number", i+1, f)
		}
		dst[i] = v
	}
	return min(len(fields), len(dst)), nil
}
