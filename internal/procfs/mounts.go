package procfs

import (
	"bytes"
	"strconv"
)

// Mount is one line of /proc/mounts (fstab(5) fields; octal escapes such
// as \040 for a space decoded).
type Mount struct {
	Device, MountPoint, FSType, Options string
}

// ParseMounts parses /proc/mounts (or /proc/PID/mounts).
func ParseMounts(data []byte) ([]Mount, error) {
	var out []Mount
	var scratch [][]byte // reused by every line
	err := lines(data, func(n int, line []byte) error {
		fields := splitFields(scratch, line)
		scratch = fields
		if len(fields) != 6 {
			return lineError(n, line, "%d fields, want 6 (device, mount point, type, options, dump, pass)", len(fields))
		}
		var m Mount
		for i, dst := range []*string{&m.Device, &m.MountPoint, &m.FSType, &m.Options} {
			s, ok := unescapeOctal(fields[i])
			if !ok {
				return lineError(n, line, "field %d has a bad octal escape", i+1)
			}
			*dst = s
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// unescapeOctal decodes the \ooo escapes the kernel writes for space, tab,
// newline and backslash in mount fields.
func unescapeOctal(b []byte) (string, bool) {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b), true
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		if i+4 > len(b) {
			return "", false
		}
		v, err := strconv.ParseUint(string(b[i+1:i+4]), 8, 8)
		if err != nil {
			return "", false
		}
		out = append(out, byte(v))
		i += 3
	}
	return string(out), true
}
