package syslog

import (
	"fmt"
	"strconv"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the syslog input with Fluent Bit's parameters
// (plugins/in_syslog/syslog.c config_map).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Mode", Default: "unix_udp", Options: []string{"tcp", "udp", "unix_tcp", "unix_udp"}, Doc: "transport: TCP, UDP, or a Unix socket (stream or datagram)"},
		{Name: "Listen", Default: "0.0.0.0", Doc: "address to listen on (tcp, udp)"},
		{Name: "Port", Type: plugin.TypeInt, Default: "5140", Min: 0, Max: 65535, Doc: "port to listen on (tcp, udp; 0: any free port)"},
		{Name: "Path", Doc: "path of the Unix socket (unix_tcp, unix_udp)"},
		{Name: "Unix_Perm", Default: "0644", Check: checkPerm, Doc: "permissions of the Unix socket file, in octal"},
		{Name: "Parser", Doc: "parser of the messages; syslog-rfc5424 for tcp/udp, syslog-rfc3164-local for the Unix modes"},
		{Name: "Buffer_Chunk_Size", Type: plugin.TypeSize, Default: "32K", Min: 1, Max: 1 << 30, Doc: "read buffer of a connection"},
		{Name: "Buffer_Max_Size", Type: plugin.TypeSize, Min: 1, Max: 1 << 30, Doc: "largest message; Buffer_Chunk_Size when unset"},
		{Name: "Receive_Buffer_Size", Type: plugin.TypeSize, Doc: "socket receive buffer of the datagram modes (SO_RCVBUF)"},
		{Name: "Source_Address_Key", Doc: "key under which the sender's address is added to each record"},
	}
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "syslog",
		Summary: "receive syslog messages (RFC 5424/3164) over TCP, UDP or a Unix socket, with octet-counting and newline framing",
		Params:  append(params, tlsconf.Params()...),
		Examples: []string{
			`[INPUT]
    Name    syslog
    Mode    tcp
    Listen  0.0.0.0
    Port    5140
    Tag     syslog.tcp`,
			`[INPUT]
    Name       syslog
    Mode       unix_udp
    Path       /tmp/in_syslog
    Unix_Perm  0666
    Parser     syslog-rfc3164-local`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}

func checkPerm(raw string) error {
	if _, err := strconv.ParseUint(raw, 8, 32); err != nil {
		return fmt.Errorf("invalid permissions %q; write octal digits, e.g. 0660", raw)
	}
	return nil
}
