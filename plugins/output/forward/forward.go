package forward

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

var (
	_ plugin.Output = (*Output)(nil)
	_ plugin.Closer = (*Output)(nil)
)

// Output is the forward output. It is safe for concurrent use by the
// engine's workers; each Flush takes a kept connection (or opens one) and
// gives it back, so a worker keeps reusing a connection.
type Output struct {
	id          string
	logger      *slog.Logger
	tagOverride string
	enc         encoding

	requireAck     bool
	connectTimeout time.Duration
	ioTimeout      time.Duration
	keepalive      bool
	idleTimeout    time.Duration
	maxRecycle     int

	nodes []*node
	next  atomic.Uint64 // round-robin position

	mu     sync.Mutex
	idle   []*conn
	closed bool
}

// node is one forward server.
type node struct {
	name             string
	network, address string
	tls              *tls.Config
	auth             *clientAuth // nil: no handshake
}

// clientAuth is the client side of the shared-key handshake.
type clientAuth struct {
	sharedKey, hostname, username, password string
}

// New returns a forward output configured by s.Config (see Spec). It reads
// the Upstream file and TLS files; connections are opened by Flush.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		id:             s.ID,
		logger:         s.Logger,
		tagOverride:    c.String("Tag"),
		requireAck:     c.Bool("Require_ack_response"),
		connectTimeout: c.Duration("net.connect_timeout"),
		ioTimeout:      c.Duration("net.io_timeout"),
		keepalive:      c.Bool("net.keepalive"),
		idleTimeout:    c.Duration("net.keepalive_idle_timeout"),
		maxRecycle:     int(c.Int("net.keepalive_max_recycle")),
		enc: encoding{
			timeAsInteger: c.Bool("Time_as_Integer"),
			retainMeta:    c.Bool("Retain_Metadata_In_Forward_Mode"),
			compress:      c.String("Compress") == "gzip",
			addOptions:    c.AllWords("Add_Option"),
		},
	}
	o.enc.sendOptions = c.Bool("Send_options") || o.requireAck || o.enc.compress || len(o.enc.addOptions) > 0
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	defaults := clientAuthOf(c.String("Shared_Key"), c.Bool("Empty_Shared_Key"), c.String("Self_Hostname"), c.String("Username"), c.String("Password"))
	if path := c.String("Upstream"); path != "" {
		nodes, err := upstreamNodes(c, path, defaults)
		if err != nil {
			return nil, err
		}
		o.nodes = nodes
		return o, nil
	}
	n := &node{name: "default", auth: defaults}
	if p := c.String("Unix_Path"); p != "" {
		n.network, n.address = "unix", p
	} else {
		n.network = "tcp"
		n.address = net.JoinHostPort(c.String("Host"), strconv.FormatInt(c.Int("Port"), 10))
	}
	var err error
	if n.tls, err = tlsconf.Client(c, c.String("Host")); err != nil {
		return nil, err
	}
	o.nodes = []*node{n}
	return o, nil
}

func clientAuthOf(key string, empty bool, hostname, user, password string) *clientAuth {
	if key == "" && !empty {
		return nil
	}
	return &clientAuth{sharedKey: key, hostname: hostname, username: user, password: password}
}

// nodeSpec declares the keys of an upstream [NODE] section.
var nodeSpec = plugin.Spec{Kind: plugin.KindOutput, Name: "node", Params: append([]plugin.Param{
	{Name: "Host", Required: true, Doc: "host of the server"},
	{Name: "Port", Type: plugin.TypeInt, Default: "24224", Min: 1, Max: 65535, Doc: "port of the server"},
	{Name: "Shared_Key", Doc: "shared key, instead of the output's"},
	{Name: "Self_Hostname", Doc: "handshake host name, instead of the output's"},
	{Name: "Username", Doc: "user name, instead of the output's"},
	{Name: "Password", Doc: "password, instead of the output's"},
}, tlsconf.Params()...)}

// upstreamNodes reads the Upstream file into nodes. A node's keys override
// the output's handshake settings; its TLS is its own when it sets tls,
// the output's otherwise.
func upstreamNodes(c *plugin.Config, path string, defaults *clientAuth) ([]*node, error) {
	_, sections, err := readUpstream(path)
	if err != nil {
		return nil, c.Errorf("Upstream", "%v", err)
	}
	var nodes []*node
	for i, s := range sections {
		sect := &config.Section{Kind: config.KindOutput, Pos: config.Position{File: path, Line: s.line}}
		for k, v := range s.keys {
			sect.Params = append(sect.Params, config.Param{Key: k, Value: v, Pos: config.Position{File: path, Line: s.line}})
		}
		if s.name == "" {
			sect.Params = append(sect.Params, config.Param{Key: "name", Value: fmt.Sprintf("node-%d", i)})
		}
		nc, err := plugin.Decode(&nodeSpec, sect, "[NODE] "+s.name)
		if err != nil {
			return nil, err
		}
		n := &node{name: nc.String("Name"), network: "tcp",
			address: net.JoinHostPort(nc.String("Host"), strconv.FormatInt(nc.Int("Port"), 10))}
		tc := c
		if nc.IsSet("tls") {
			tc = nc
		}
		if n.tls, err = tlsconf.Client(tc, nc.String("Host")); err != nil {
			return nil, err
		}
		n.auth = defaults
		if nc.IsSet("Shared_Key") || nc.IsSet("Self_Hostname") || nc.IsSet("Username") || nc.IsSet("Password") {
			a := clientAuth{}
			if defaults != nil {
				a = *defaults
			}
			for _, kv := range []struct {
				key string
				dst *string
			}{{"Shared_Key", &a.sharedKey}, {"Self_Hostname", &a.hostname}, {"Username", &a.username}, {"Password", &a.password}} {
				if nc.IsSet(kv.key) {
					*kv.dst = nc.String(kv.key)
				}
			}
			if a.hostname == "" {
				a.hostname = c.String("Self_Hostname")
			}
			n.auth = &a
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// Close closes the kept connections.
func (o *Output) Close(context.Context) error {
	o.mu.Lock()
	idle := o.idle
	o.idle, o.closed = nil, true
	o.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
	return nil
}
