package procfs

import (
	"strconv"
)

// MeminfoField is one line of /proc/meminfo. Value is in bytes when the
// line has the kB unit (KB is set), else a count (HugePages_Total...).
type MeminfoField struct {
	Name  string
	Value uint64
	KB    bool
}

// ParseMeminfo parses /proc/meminfo: "Name: value [kB]" lines.
func ParseMeminfo(data []byte) ([]MeminfoField, error) {
	var out []MeminfoField
	var scratch [][]byte // reused by every line
	err := lines(data, func(n int, line []byte) error {
		fields := splitFields(scratch, line)
		scratch = fields
		if len(fields) < 2 || len(fields) > 3 || len(fields[0]) < 2 || fields[0][len(fields[0])-1] != ':' {
			return lineError(n, line, `want "Name: value" or "Name: value kB"`)
		}
		v, err := strconv.ParseUint(string(fields[1]), 10, 64)
		if err != nil {
			return lineError(n, line, "%q is not a whole number", fields[1])
		}
		f := MeminfoField{Name: string(fields[0][:len(fields[0])-1]), Value: v}
		if len(fields) == 3 {
			if string(fields[2]) != "kB" {
				return lineError(n, line, "unit %q, want kB", fields[2])
			}
			f.Value, f.KB = v*1024, true
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// Meminfo returns the value of the field named name, in bytes for kB
// fields.
func Meminfo(fields []MeminfoField, name string) (uint64, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return 0, false
}
