package tcp

import (
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the tcp input (Fluent Bit's plugins/in_tcp).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "tcp",
		Summary: "receive newline-separated JSON objects or raw text records over TCP",
		Params: []plugin.Param{
			{Name: "Listen", Default: "0.0.0.0", Doc: "address to listen on"},
			{Name: "Port", Type: plugin.TypeInt, Default: "5170", Min: 0, Max: 65535, Doc: "TCP port to listen on (0: any free port)"},
			{Name: "Chunk_Size", Default: "32", Check: checkKB, Doc: "step by which a connection's buffer grows: KB as a bare number, or a size such as 64k"},
			{Name: "Buffer_Size", Check: checkKB, Doc: "longest record a connection may send: KB as a bare number, or a size; Chunk_Size when unset"},
			{Name: "Format", Default: "json", Options: []string{"json", "none"}, Doc: "json: each line is a JSON object; none: each record is text, kept under log"},
			{Name: "Separator", Default: `\n`, Doc: `separator of Format none records; \n, \r and \t are unescaped`},
			{Name: "Source_Address_Key", Doc: "key under which to add the client's address to each record"},
		},
		Examples: []string{
			`[INPUT]
    Name    tcp
    Tag     firelens-healthcheck
    Listen  127.0.0.1
    Port    8877`,
			`[INPUT]
    Name       tcp
    Port       5170
    Format     none
    Separator  \n`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}

// parseKB reads Fluent Bit's in_tcp sizes: a bare number is KB.
func parseKB(raw string) (int64, error) {
	raw = strings.TrimSpace(raw)
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return n << 10, nil
	}
	return plugin.ParseSize(raw)
}

func checkKB(raw string) error {
	_, err := parseKB(raw)
	return err
}
