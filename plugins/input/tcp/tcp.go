package tcp

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/netserve"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/recordstream"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

var _ plugin.Input = (*Input)(nil)

// Input is a tcp input instance.
type Input struct {
	id        string
	tag       string
	logger    *slog.Logger
	address   string
	tls       *tls.Config
	format    string
	separator []byte
	chunkSize int
	maxSize   int
	sourceKey string
	bound     chan struct{} // closed once the listener is open
	addr      net.Addr
}

// New returns a tcp input configured by s.Config (see Spec). It does no
// I/O: Run opens the listener.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id:        s.ID,
		tag:       s.Tag,
		logger:    s.Logger,
		address:   net.JoinHostPort(c.String("Listen"), strconv.FormatInt(c.Int("Port"), 10)),
		format:    c.String("Format"),
		separator: recordstream.ParseSeparator(c.String("Separator")),
		sourceKey: c.String("Source_Address_Key"),
		bound:     make(chan struct{}),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	chunk, _ := parseKB(c.String("Chunk_Size"))
	in.chunkSize = int(chunk)
	in.maxSize = in.chunkSize
	if c.IsSet("Buffer_Size") {
		max, _ := parseKB(c.String("Buffer_Size"))
		in.maxSize = int(max)
	}
	if in.maxSize < in.chunkSize {
		in.chunkSize = in.maxSize
	}
	var err error
	if in.tls, err = tlsconf.Server(c); err != nil {
		return nil, err
	}
	return in, nil
}

// checkKB validates a size in KB (Fluent Bit's unit for Chunk_Size and
// Buffer_Size) or with an explicit unit.
func checkKB(raw string) error {
	_, err := parseKB(raw)
	return err
}

// parseKB reads a bare number as KB, as Fluent Bit's in_tcp does, and a
// number with a unit (64k, 1M) as that size.
func parseKB(raw string) (int64, error) {
	raw = strings.TrimSpace(raw)
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		if n <= 0 || n > 1<<20 {
			return 0, fmt.Errorf("%q KB is out of range (1 to 1048576)", raw)
		}
		return n * 1024, nil
	}
	n, err := plugin.ParseSize(raw)
	if err != nil {
		return 0, err
	}
	if n <= 0 || n > 1<<30 {
		return 0, fmt.Errorf("%q is out of range (1 byte to 1G)", raw)
	}
	return n, nil
}

// Run listens and serves connections until ctx ends; every connection
// goroutine is stopped and waited for before Run returns.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	ln, err := net.Listen("tcp", in.address)
	if err != nil {
		return fmt.Errorf("tcp input %s: listen on %s: %w; check Listen and Port (is another process using the port?)", in.id, in.address, err)
	}
	in.addr = ln.Addr()
	close(in.bound)
	if in.tls != nil {
		ln = tls.NewListener(ln, in.tls)
	}
	in.logger.Info("listening", "address", in.addr.String(), "format", in.format, "tls", in.tls != nil)
	err = netserve.Serve(ctx, ln, in.logger, func(ctx context.Context, nc net.Conn) { in.serve(ctx, nc, emit) })
	if err != nil {
		return fmt.Errorf("tcp input %s: accept on %s: %w", in.id, in.addr, err)
	}
	return nil
}
