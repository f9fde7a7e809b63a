package udp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the udp input with Fluent Bit's parameters
// (plugins/in_udp/udp_config.c).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "udp",
		Summary: "receive JSON objects or separated text records in UDP datagrams",
		Params: []plugin.Param{
			{Name: "Listen", Default: "0.0.0.0", Doc: "address to listen on"},
			{Name: "Port", Type: plugin.TypeInt, Default: "5170", Min: 0, Max: 65535, Doc: "UDP port to listen on (0: any free port)"},
			{Name: "Format", Default: "json", Options: []string{"json", "none"}, Doc: "json: JSON objects; none: text records split on Separator"},
			{Name: "Separator", Default: `\n`, Doc: `separator of the records with Format none; \n, \r and \t are understood`},
			{Name: "Chunk_Size", Default: "32", Check: checkKB, Doc: "accepted for compatibility, in KB"},
			{Name: "Buffer_Size", Check: checkKB, Doc: "largest datagram, in KB (or with a unit); Chunk_Size when unset"},
			{Name: "Source_Address_Key", Doc: "key under which the sender's address is added to each record"},
		},
		Examples: []string{
			`[INPUT]
    Name    udp
    Listen  0.0.0.0
    Port    5170
    Tag     app.udp`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}

func checkKB(raw string) error {
	_, err := parseKB(raw)
	return err
}

// parseKB reads a bare number as KB, as Fluent Bit's in_udp does, and a
// number with a unit as that size.
func parseKB(raw string) (int64, error) {
	raw = strings.TrimSpace(raw)
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("%q KB is out of range for a datagram (1 to 64)", raw)
		}
		return n * 1024, nil
	}
	n, err := plugin.ParseSize(raw)
	if err != nil {
		return 0, err
	}
	if n <= 0 || n > 64<<10 {
		return 0, fmt.Errorf("%q is out of range for a datagram (1 byte to 64K)", raw)
	}
	return n, nil
}
