package tcp

import (
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the tcp input with Fluent Bit's parameters
// (plugins/in_tcp/tcp_config.c).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Listen", Default: "0.0.0.0", Doc: "address to listen on"},
		{Name: "Port", Type: plugin.TypeInt, Default: "5170", Min: 0, Max: 65535, Doc: "TCP port to listen on (0: any free port)"},
		{Name: "Format", Default: "json", Options: []string{"json", "none"}, Doc: "json: a stream of JSON objects; none: text records split on Separator"},
		{Name: "Separator", Default: `\n`, Doc: `separator of the records with Format none; \n, \r and \t are understood`},
		{Name: "Chunk_Size", Default: "32", Check: checkKB, Doc: "read buffer of a connection, in KB (or with a unit: 64k, 1M)"},
		{Name: "Buffer_Size", Check: checkKB, Doc: "largest message, in KB (or with a unit); Chunk_Size when unset"},
		{Name: "Source_Address_Key", Doc: "key under which the client's address is added to each record"},
	}
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "tcp",
		Summary: "receive JSON objects or separated text lines over TCP (EMF over TCP, log4j appenders)",
		Params:  append(params, tlsconf.Params()...),
		Examples: []string{
			`[INPUT]
    Name         tcp
    Listen       0.0.0.0
    Port         5170
    Tag          app.tcp
    Buffer_Size  256`,
			`[INPUT]
    Name       tcp
    Port       25888
    Tag        emf
    Format     none
    Separator  \n`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
