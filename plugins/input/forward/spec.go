package forward

import (
	"fmt"
	"strconv"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the forward input. Parameters and defaults are Fluent
// Bit's (plugins/in_forward/fw_config.c and its manual page), plus
// Message_Timeout, Sluice's guard against stalled clients.
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Listen", Default: "0.0.0.0", Doc: "address to listen on for TCP connections"},
		{Name: "Port", Type: plugin.TypeInt, Default: "24224", Min: 0, Max: 65535, Doc: "TCP port to listen on (0: any free port)"},
		{Name: "Unix_Path", Doc: "path of a Unix socket to listen on instead of TCP; Listen and Port are then ignored"},
		{Name: "Unix_Perm", Check: checkPerm, Doc: "permissions of the Unix socket file, in octal (e.g. 0660)"},
		{Name: "Buffer_Chunk_Size", Type: plugin.TypeSize, Default: "1024000", Min: 1, Max: 1 << 30,
			Doc: "step by which a connection's read buffer grows"},
		{Name: "Buffer_Max_Size", Type: plugin.TypeSize, Default: "6144000", Min: 1, Max: 1 << 30,
			Doc: "largest message (compressed size) a connection may send; larger ones close the connection with an error"},
		{Name: "Tag_Prefix", Doc: "prefix added to the tag of every incoming record"},
		{Name: "Shared_Key", Doc: "shared key clients must prove in the HELO/PING/PONG handshake; unset: no handshake"},
		{Name: "Empty_Shared_Key", Type: plugin.TypeBool, Default: "off", Doc: "require the handshake with an empty shared key"},
		{Name: "Self_Hostname", Default: "localhost", Doc: "host name this server gives in the handshake"},
		{Name: "Security.Users", Type: plugin.TypeWords, Words: 2, Multiple: true,
			Doc: "a user name and password clients may authenticate with in the handshake; repeat for more users"},
		{Name: "Message_Timeout", Type: plugin.TypeDuration, Default: "60s",
			Doc: "time a client has to complete a message (and the handshake) once it started; slower clients are disconnected (Sluice only)"},
	}
	return plugin.Spec{
		Kind:        plugin.KindInput,
		Name:        "forward",
		Summary:     "receive records over the Fluentd Forward Protocol v1 (TCP, TLS or Unix socket), from Fluent Bit, Fluentd, Docker and the fluent-logger libraries",
		Params:      append(params, tlsconf.Params()...),
		DynamicTags: true,
		Examples: []string{
			`[INPUT]
    Name    forward
    Listen  0.0.0.0
    Port    24224`,
			`[INPUT]
    Name           forward
    Unix_Path      /var/run/fluent.sock
    Unix_Perm      0660
    Mem_Buf_Limit  25MB`,
			`[INPUT]
    Name           forward
    Port           24284
    Tag_Prefix     peer.
    Shared_Key     secret
    Self_Hostname  aggregator-1`,
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
