package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/conf"
	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/netserve"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

var _ plugin.Input = (*Input)(nil)

// Input is a syslog input instance.
type Input struct {
	id        string
	tag       string
	logger    *slog.Logger
	mode      string
	network   string // tcp, udp, unix, unixgram
	address   string
	perm      os.FileMode
	parser    *parser.Parser
	chunk     int
	max       int
	rcvBuf    int
	sourceKey string
	tls       *tls.Config
	bound     chan struct{}
	addr      net.Addr
}

// New returns a syslog input configured by s.Config (see Spec). It does
// no I/O beyond reading the shipped parsers when needed.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id:        s.ID,
		tag:       s.Tag,
		logger:    s.Logger,
		mode:      c.String("Mode"),
		chunk:     int(c.Size("Buffer_Chunk_Size")),
		rcvBuf:    int(c.Size("Receive_Buffer_Size")),
		sourceKey: c.String("Source_Address_Key"),
		bound:     make(chan struct{}),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	in.max = in.chunk
	if c.IsSet("Buffer_Max_Size") {
		in.max = int(c.Size("Buffer_Max_Size"))
	}
	perm, _ := strconv.ParseUint(c.String("Unix_Perm"), 8, 32)
	in.perm = os.FileMode(perm)
	switch in.mode {
	case "tcp", "udp":
		in.network = in.mode
		in.address = net.JoinHostPort(c.String("Listen"), strconv.FormatInt(c.Int("Port"), 10))
	case "unix_tcp", "unix_udp":
		in.network = map[string]string{"unix_tcp": "unix", "unix_udp": "unixgram"}[in.mode]
		in.address = c.String("Path")
		if in.address == "" {
			return nil, c.Errorf("Path", "Mode %s needs the Path of the Unix socket", in.mode)
		}
	}
	name := c.String("Parser")
	if name == "" {
		name = "syslog-rfc5424"
		if in.network == "unix" || in.network == "unixgram" {
			name = "syslog-rfc3164-local"
		}
	}
	var err error
	if in.parser, err = resolveParser(s.Parsers, name); err != nil {
		return nil, c.Errorf("Parser", "%v", err)
	}
	if in.tls, err = tlsconf.Server(c); err != nil {
		return nil, err
	}
	if in.tls != nil && in.mode != "tcp" {
		return nil, c.Errorf("tls", "TLS works with Mode tcp only")
	}
	return in, nil
}

// resolveParser finds name in the configuration's parsers, then in the
// parsers Sluice ships.
func resolveParser(reg *parser.Registry, name string) (*parser.Parser, error) {
	if p, ok := reg.Lookup(name); ok {
		return p, nil
	}
	m, _, err := config.ParseClassic("parsers.conf", conf.Parsers)
	if err == nil {
		var shipped *parser.Registry
		if shipped, _, err = parser.NewRegistry(m.Parsers); err == nil {
			if p, ok := shipped.Lookup(name); ok {
				return p, nil
			}
		}
	}
	return nil, fmt.Errorf("no parser named %q; %s", name, reg.UnknownHint(name))
}

// Run listens and serves until ctx ends; every goroutine it starts is
// stopped and waited for before it returns.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	if in.network == "unix" || in.network == "unixgram" {
		if fi, err := os.Lstat(in.address); err == nil {
			if fi.Mode()&os.ModeSocket == 0 {
				return fmt.Errorf("syslog input %s: Path %s exists and is not a socket; remove it or choose another path", in.id, in.address)
			}
			os.Remove(in.address)
		}
		defer os.Remove(in.address)
	}
	if in.network == "udp" || in.network == "unixgram" {
		return in.runDatagrams(ctx, emit)
	}
	ln, err := net.Listen(in.network, in.address)
	if err != nil {
		return fmt.Errorf("syslog input %s: listen on %s %s: %w", in.id, in.network, in.address, err)
	}
	if err := in.bind(ln.Addr()); err != nil {
		ln.Close()
		return err
	}
	if in.tls != nil {
		ln = tls.NewListener(ln, in.tls)
	}
	err = netserve.Serve(ctx, ln, in.logger, func(ctx context.Context, nc net.Conn) { in.serve(ctx, nc, emit) })
	if err != nil {
		return fmt.Errorf("syslog input %s: accept on %s: %w", in.id, in.addr, err)
	}
	return nil
}

func (in *Input) bind(a net.Addr) error {
	in.addr = a
	if in.network == "unix" || in.network == "unixgram" {
		if err := os.Chmod(in.address, in.perm); err != nil {
			return fmt.Errorf("syslog input %s: Unix_Perm on %s: %w", in.id, in.address, err)
		}
	}
	close(in.bound)
	in.logger.Info("listening", "mode", in.mode, "address", a.String(), "parser", in.parser.Name())
	return nil
}

// serve reads one stream client until it disconnects, breaks the framing
// or ctx ends.
func (in *Input) serve(ctx context.Context, nc net.Conn, emit plugin.Emitter) {
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	defer nc.Close()
	remote := nc.RemoteAddr().String()
	if remote == "" || remote == "@" {
		remote = in.address
	}
	b := batch{in: in, source: remote}
	f := framer{max: in.max}
	buf := make([]byte, in.chunk)
	for {
		n, rerr := nc.Read(buf)
		err := f.feed(buf[:n], b.add)
		if rerr != nil && err == nil {
			f.end(b.add)
		}
		if !b.emit(ctx, emit) {
			return
		}
		if err != nil {
			in.logger.Warn("closing connection", "remote", remote, "reason", err.Error())
			return
		}
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) && ctx.Err() == nil {
				in.logger.Warn("closing connection", "remote", remote, "reason", rerr.Error())
			}
			return
		}
	}
}

// runDatagrams reads datagrams until ctx ends.
func (in *Input) runDatagrams(ctx context.Context, emit plugin.Emitter) error {
	pc, err := net.ListenPacket(in.network, in.address)
	if err != nil {
		return fmt.Errorf("syslog input %s: listen on %s %s: %w", in.id, in.network, in.address, err)
	}
	defer pc.Close()
	if in.rcvBuf > 0 {
		if s, ok := pc.(interface{ SetReadBuffer(int) error }); ok {
			s.SetReadBuffer(in.rcvBuf)
		}
	}
	if err := in.bind(pc.LocalAddr()); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { pc.Close() })
	defer stop()
	buf := make([]byte, in.max)
	b := batch{in: in}
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("syslog input %s: read on %s: %w", in.id, in.addr, err)
		}
		b.source = in.address
		if from != nil && from.String() != "" {
			b.source = from.String()
		}
		for _, line := range splitLines(buf[:n]) {
			b.add(line)
		}
		if !b.emit(ctx, emit) {
			return nil
		}
	}
}

func splitLines(d []byte) [][]byte {
	var out [][]byte
	for len(d) > 0 {
		i := 0
		for i < len(d) && d[i] != '\n' {
			i++
		}
		line := d[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) > 0 {
			out = append(out, line)
		}
		if i == len(d) {
			break
		}
		d = d[i+1:]
	}
	return out
}

// batch collects the records of one read.
type batch struct {
	in        *Input
	source    string
	events    record.Builder
	body      []byte
	unmatched int
}

// add parses one message into a record; one the parser does not match is
// kept as {"message": line}.
func (b *batch) add(msg []byte) {
	now := record.Now()
	m, res, err := b.in.parser.Parse(b.body[:0], msg)
	t := now
	if err != nil {
		b.unmatched++
		m = msgp.AppendMapHeader(m[:0], 1)
		m = msgp.AppendString(m, "message")
		m = msgp.AppendStringFromBytes(m, msg)
	} else if res.HasTime {
		t = res.Time
	}
	b.body = m
	if b.in.sourceKey == "" {
		b.events.Append(t, nil, m)
		return
	}
	n, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		b.events.Append(t, nil, m)
		return
	}
	b.events.BeginEvent(t, nil)
	b.events.AppendMapHeader(int(n) + 1)
	b.events.AppendRawValue(rest)
	b.events.AppendString(b.in.sourceKey)
	b.events.AppendString(b.source)
}

// emit hands the batch to the pipeline; false means the input is
// stopping.
func (b *batch) emit(ctx context.Context, emit plugin.Emitter) bool {
	if b.unmatched > 0 {
		b.in.logger.Warn("messages the parser does not match, kept under message", "parser", b.in.parser.Name(), "count", b.unmatched, "source", b.source)
		b.unmatched = 0
	}
	if b.events.Records() == 0 {
		return true
	}
	err := emit.Emit(ctx, b.in.tag, b.events.Bytes(), b.events.Records())
	b.events.Reset()
	return err == nil
}
