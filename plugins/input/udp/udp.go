package udp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/recordstream"
)

var _ plugin.Input = (*Input)(nil)

// Input is a udp input instance.
type Input struct {
	id        string
	tag       string
	logger    *slog.Logger
	address   string
	json      bool
	sep       []byte
	max       int
	sourceKey string
	bound     chan struct{}
	addr      net.Addr
}

// New returns a udp input configured by s.Config (see Spec). It does no
// I/O: Run opens the socket.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id:        s.ID,
		tag:       s.Tag,
		logger:    s.Logger,
		address:   net.JoinHostPort(c.String("Listen"), strconv.FormatInt(c.Int("Port"), 10)),
		json:      c.String("Format") == "json",
		sep:       recordstream.ParseSeparator(c.String("Separator")),
		sourceKey: c.String("Source_Address_Key"),
		bound:     make(chan struct{}),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	size := c.String("Chunk_Size")
	if c.IsSet("Buffer_Size") {
		size = c.String("Buffer_Size")
	}
	max, _ := parseKB(size)
	in.max = int(max)
	return in, nil
}

// Run reads datagrams until ctx ends.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	pc, err := net.ListenPacket("udp", in.address)
	if err != nil {
		return fmt.Errorf("udp input %s: listen on %s: %w; check Listen and Port", in.id, in.address, err)
	}
	defer pc.Close()
	in.addr = pc.LocalAddr()
	close(in.bound)
	in.logger.Info("listening", "address", in.addr.String())
	stop := context.AfterFunc(ctx, func() { pc.Close() })
	defer stop()
	buf := make([]byte, in.max)
	d := recordstream.Decoder{JSON: in.json, Sep: in.sep, Max: in.max, SourceKey: in.sourceKey}
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("udp input %s: read on %s: %w", in.id, in.addr, err)
		}
		d.Source = from.String()
		if err := in.decode(&d, buf[:n]); err != nil {
			in.logger.Warn("invalid datagram", "remote", d.Source, "reason", err.Error())
		}
		if d.Events.Records() > 0 {
			if err := emit.Emit(ctx, in.tag, d.Events.Bytes(), d.Events.Records()); err != nil {
				return nil
			}
			d.Events.Reset()
		}
	}
}

// decode decodes one datagram on its own: the decoder's state from the
// previous one is dropped.
func (in *Input) decode(d *recordstream.Decoder, data []byte) error {
	d.Reset()
	now := record.Now()
	if err := d.Feed(data, now); err != nil {
		return err
	}
	return d.End(now)
}
