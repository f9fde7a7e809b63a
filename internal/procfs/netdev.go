package procfs

import (
	"bytes"
	"errors"
)

// NetDevFields names the 16 counters of a /proc/net/dev line, in order, as
// node_exporter names its metrics (node_network_<name>_total).
var NetDevFields = [16]string{
	"receive_bytes", "receive_packets", "receive_errs", "receive_drop",
	"receive_fifo", "receive_frame", "receive_compressed", "receive_multicast",
	"transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop",
	"transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
}

// NetDev is one interface of /proc/net/dev.
type NetDev struct {
	Device   string
	Counters [16]uint64 // in NetDevFields order
}

// ParseNetDev parses /proc/net/dev: two header lines, then
// "iface: 16 counters" per interface.
func ParseNetDev(data []byte) ([]NetDev, error) {
	var out []NetDev
	headers := 0
	var scratch [][]byte // reused by every line
	err := lines(data, func(n int, line []byte) error {
		if headers < 2 {
			headers++
			if bytes.IndexByte(line, '|') < 0 {
				return lineError(n, line, "want the two header lines of /proc/net/dev")
			}
			return nil
		}
		name, rest, ok := bytes.Cut(line, []byte(":"))
		name = bytes.TrimSpace(name)
		if !ok || len(name) == 0 {
			return lineError(n, line, `want "interface: counters"`)
		}
		d := NetDev{Device: string(name)}
		fields := splitFields(scratch, rest)
		scratch = fields
		if len(fields) != 16 {
			return lineError(n, line, "%d counters, want 16", len(fields))
		}
		if _, err := uints(d.Counters[:], fields); err != nil {
			return lineError(n, line, "%v", err)
		}
		out = append(out, d)
		return nil
	})
	if err == nil && headers < 2 {
		err = errors.New("no header lines: not /proc/net/dev")
	}
	return out, err
}
