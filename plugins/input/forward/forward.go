package forward

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/sluice-logs/sluice/internal/netserve"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

var _ plugin.Input = (*Input)(nil)

// Input is the forward input: a server of the Fluentd Forward Protocol v1.
type Input struct {
	id     string
	logger *slog.Logger

	network, address string
	unixPerm         os.FileMode // 0: leave as created
	tls              *tls.Config

	chunkSize, maxSize int
	msgTimeout         time.Duration
	tagPrefix          string
	tagOverride        string // the section's Tag, when set

	auth *auth // nil: no handshake

	// bound is closed once the listener is up; addr is then its address.
	bound chan struct{}
	addr  net.Addr
}

// New returns a forward input configured by s.Config (see Spec). It
// checks the configuration and loads TLS files; Run opens the socket.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id:         s.ID,
		logger:     s.Logger,
		chunkSize:  int(c.Size("Buffer_Chunk_Size")),
		maxSize:    int(c.Size("Buffer_Max_Size")),
		msgTimeout: c.Duration("Message_Timeout"),
		tagPrefix:  c.String("Tag_Prefix"),
		bound:      make(chan struct{}),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	if c.IsSet("Tag") {
		in.tagOverride = s.Tag
	}
	if p := c.String("Unix_Path"); p != "" {
		in.network, in.address = "unix", p
		if perm := c.String("Unix_Perm"); perm != "" {
			v, _ := strconv.ParseUint(perm, 8, 32) // checked by the Spec
			in.unixPerm = os.FileMode(v) & os.ModePerm
		}
	} else {
		in.network = "tcp"
		in.address = net.JoinHostPort(c.String("Listen"), strconv.FormatInt(c.Int("Port"), 10))
	}
	if in.chunkSize > in.maxSize {
		return nil, c.Errorf("Buffer_Chunk_Size", "%d is larger than Buffer_Max_Size (%d); lower it or raise Buffer_Max_Size", in.chunkSize, in.maxSize)
	}
	var err error
	if in.tls, err = tlsconf.Server(c); err != nil {
		return nil, err
	}
	if in.auth, err = newAuth(c); err != nil {
		return nil, err
	}
	return in, nil
}

// Run listens until ctx ends, serving each connection in a goroutine it
// owns; it returns once every connection is closed. Failing to listen is
// an error. Records are acknowledged (when the client asks) only after
// Emit accepted them.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	ln, err := in.listen()
	if err != nil {
		return err
	}
	in.addr = ln.Addr()
	close(in.bound)
	mode := "plain"
	if in.tls != nil {
		ln = tls.NewListener(ln, in.tls)
		mode = "tls"
	}
	in.logger.Info("listening", "network", in.network, "address", in.addr.String(), "transport", mode, "auth", in.auth != nil)

	if in.network == "unix" {
		defer os.Remove(in.address)
	}
	err = netserve.Serve(ctx, ln, in.logger, func(ctx context.Context, nc net.Conn) { in.serve(ctx, nc, emit) })
	if err != nil {
		return fmt.Errorf("forward input %s: accept on %s: %w", in.id, in.addr, err)
	}
	return nil
}

// listen opens the TCP or Unix socket. A stale Unix socket file left by an
// earlier run is replaced; any other file at the path is an error.
func (in *Input) listen() (net.Listener, error) {
	if in.network == "unix" {
		if fi, err := os.Lstat(in.address); err == nil {
			if fi.Mode()&os.ModeSocket == 0 {
				return nil, fmt.Errorf("forward input %s: Unix_Path %s exists and is not a socket; remove it or choose another path", in.id, in.address)
			}
			os.Remove(in.address)
		}
	}
	ln, err := net.Listen(in.network, in.address)
	if err != nil {
		return nil, fmt.Errorf("forward input %s: listen on %s: %w (is another process using it?)", in.id, in.address, err)
	}
	if in.network == "unix" && in.unixPerm != 0 {
		if err := os.Chmod(in.address, in.unixPerm); err != nil {
			ln.Close()
			return nil, fmt.Errorf("forward input %s: Unix_Perm on %s: %w", in.id, in.address, err)
		}
	}
	return ln, nil
}

// Addr waits until Run is listening and returns the bound address, or nil
// when ctx ends first. Tests and Port 0 use it.
func (in *Input) Addr(ctx context.Context) net.Addr {
	select {
	case <-in.bound:
		return in.addr
	case <-ctx.Done():
		return nil
	}
}
