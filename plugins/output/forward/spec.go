package forward

import (
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the forward output. Parameters and defaults are Fluent
// Bit's (plugins/out_forward/forward.c config_map and the net.* settings of
// its upstream connections).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Host", Default: "127.0.0.1", Doc: "host of the forward server"},
		{Name: "Port", Type: plugin.TypeInt, Default: "24224", Min: 1, Max: 65535, Doc: "TCP port of the forward server"},
		{Name: "Unix_Path", Doc: "Unix socket of the forward server, instead of Host and Port"},
		{Name: "Upstream", Doc: "file of [UPSTREAM] and [NODE] sections: several servers, balanced round-robin with failover"},
		{Name: "Tag", Doc: "tag to send instead of each record's own"},
		{Name: "Time_as_Integer", Type: plugin.TypeBool, Default: "off", Doc: "send times as integer seconds instead of EventTime, for Fluentd before v0.14"},
		{Name: "Send_options", Type: plugin.TypeBool, Default: "off", Doc: "send the option map (size) with every message"},
		{Name: "Require_ack_response", Type: plugin.TypeBool, Default: "off",
			Doc: "ask the server to acknowledge each chunk; a chunk not acknowledged within net.io_timeout fails and is retried"},
		{Name: "Compress", Options: []string{"gzip"}, Doc: "compress messages (CompressedPackedForward mode)"},
		{Name: "Retain_Metadata_In_Forward_Mode", Type: plugin.TypeBool, Default: "off", Doc: "send each record's metadata too, as Fluent Bit peers understand"},
		{Name: "Shared_Key", Doc: "shared key of the server's HELO/PING/PONG handshake"},
		{Name: "Empty_Shared_Key", Type: plugin.TypeBool, Default: "off", Doc: "do the handshake with an empty shared key"},
		{Name: "Self_Hostname", Default: "localhost", Doc: "host name this client gives in the handshake"},
		{Name: "Username", Doc: "user name for the handshake's user authentication"},
		{Name: "Password", Doc: "password for the handshake's user authentication"},
		{Name: "Add_Option", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "a key and value to add to the option map of every message"},
		{Name: "Fluentd_Compat", Type: plugin.TypeBool, Default: "off", Doc: "accepted for compatibility; records are always sent in a form Fluentd reads"},
		{Name: "Workers", Type: plugin.TypeInt, Default: "2", Min: 1, Max: 256, Doc: "number of goroutines flushing this output in parallel, each with its own connection"},
		{Name: "net.connect_timeout", Type: plugin.TypeDuration, Default: "10s", Doc: "time to establish a connection, TLS and handshake included"},
		{Name: "net.io_timeout", Type: plugin.TypeDuration, Default: "60s", Doc: "time to send a chunk and, with Require_ack_response, to receive its ack"},
		{Name: "net.keepalive", Type: plugin.TypeBool, Default: "on", Doc: "reuse connections between chunks"},
		{Name: "net.keepalive_idle_timeout", Type: plugin.TypeDuration, Default: "30s", Doc: "close a kept connection idle for longer than this"},
		{Name: "net.keepalive_max_recycle", Type: plugin.TypeInt, Default: "2000", Min: 0, Max: 1 << 31, Doc: "close a kept connection after this many chunks (0: no limit)"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "forward",
		Summary: "send records to Fluentd, Fluent Bit or Sluice over the Fluentd Forward Protocol v1, with acks, gzip, TLS, shared key and an upstream of several servers",
		Params:  append(params, tlsconf.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name                  forward
    Match                 *
    Host                  aggregator.internal
    Port                  24224
    Require_ack_response  on
    Compress              gzip`,
			`[OUTPUT]
    Name           forward
    Match          *
    Host           aggregator.internal
    Port           24284
    Shared_Key     secret
    Self_Hostname  web-1
    tls            on
    tls.verify     on`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
