package http

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

var _ plugin.Input = (*Input)(nil)

// Input is an http input instance.
type Input struct {
	id       string
	tag      string
	logger   *slog.Logger
	address  string
	tls      *tls.Config
	tagKey   string
	maxBody  int64
	okCode   int
	okHeader [][2]string
	http2    bool
	remote   bool // add_remote_addr
	bound    chan struct{}
	addr     net.Addr

	batches sync.Pool // *batch
	bufs    sync.Pool // *[]byte request bodies
}

// New returns an http input configured by s.Config (see Spec). It does no
// I/O: Run opens the listener.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id:      s.ID,
		tag:     s.Tag,
		logger:  s.Logger,
		address: net.JoinHostPort(c.String("Listen"), strconv.FormatInt(c.Int("Port"), 10)),
		tagKey:  c.String("tag_key"),
		maxBody: c.Size("buffer_max_size"),
		okCode:  int(c.Int("successful_response_code")),
		http2:   c.Bool("http2"),
		remote:  c.Bool("add_remote_addr"),
		bound:   make(chan struct{}),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	for _, w := range c.AllWords("success_header") {
		in.okHeader = append(in.okHeader, [2]string{w[0], w[1]})
	}
	var err error
	if in.tls, err = tlsconf.Server(c); err != nil {
		return nil, err
	}
	return in, nil
}

// Run serves until ctx ends, then shuts the server down: requests in
// progress finish (their Emit is cancelled with ctx) and Run waits for
// them.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	ln, err := net.Listen("tcp", in.address)
	if err != nil {
		return fmt.Errorf("http input %s: listen on %s: %w; check Listen and Port (is another process using the port?)", in.id, in.address, err)
	}
	in.addr = ln.Addr()
	close(in.bound)
	srv := &http.Server{
		Handler:           in.handler(ctx, emit),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(in.logger.Handler(), slog.LevelDebug),
	}
	if in.tls != nil {
		cfg := in.tls.Clone()
		if in.http2 {
			cfg.NextProtos = []string{"h2", "http/1.1"}
		}
		ln = tls.NewListener(ln, cfg)
	}
	in.logger.Info("listening", "address", in.addr.String(), "tls", in.tls != nil)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("http input %s: serve on %s: %w", in.id, in.addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	<-served
	return nil
}

// requestError is a request refused with status and a reason.
type requestError struct {
	status int
	msg    string
}

func (in *Input) handler(ctx context.Context, emit plugin.Emitter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, rerr := in.serve(ctx, r, emit)
		if rerr != nil {
			in.logger.Warn("refusing request", "remote", r.RemoteAddr, "path", r.URL.Path, "status", rerr.status, "reason", rerr.msg)
			w.Header().Set("Connection", "close")
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(rerr.status)
			io.WriteString(w, rerr.msg+"\n")
			return
		}
		in.logger.Debug("request accepted", "remote", r.RemoteAddr, "records", n)
		for _, h := range in.okHeader {
			w.Header().Add(h[0], h[1])
		}
		w.WriteHeader(in.okCode)
	})
}

// serve takes one request: checks, reads (bounded), decodes and emits its
// records. It returns the number of records, or why it refused them.
func (in *Input) serve(ctx context.Context, r *http.Request, emit plugin.Emitter) (int, *requestError) {
	if r.Method != http.MethodPost {
		return 0, &requestError{http.StatusMethodNotAllowed, fmt.Sprintf("method %s: only POST is accepted", r.Method)}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return 0, &requestError{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: send application/json", ct)}
		}
	} else {
		return 0, &requestError{http.StatusUnsupportedMediaType, "no Content-Type: send application/json"}
	}
	body, rerr := in.read(r)
	if rerr != nil {
		return 0, rerr
	}
	defer in.bufs.Put(body)
	tag := tagFromPath(r.URL.Path)
	if tag == "" {
		tag = in.tag
	}
	b, _ := in.batches.Get().(*batch)
	if b == nil {
		b = new(batch)
	}
	defer in.batches.Put(b)
	remote := ""
	if in.remote {
		remote = remoteAddr(r)
	}
	if err := b.decodeWith(*body, tag, in.tagKey, remote, record.Now()); err != nil {
		return 0, &requestError{http.StatusBadRequest, err.Error()}
	}
	n := 0
	for _, t := range b.tags {
		bl := b.by[t]
		if err := emit.Emit(ctx, t, bl.Bytes(), bl.Records()); err != nil {
			// Only at shutdown; records of earlier tags may be kept, and the
			// client is told to send again.
			return 0, &requestError{http.StatusServiceUnavailable, "shutting down; send again"}
		}
		n += bl.Records()
		bl.Reset()
	}
	return n, nil
}

// remoteAddr is the client's address for add_remote_addr: the first
// X-Forwarded-For entry (a proxy or load balancer in front), else the
// connection's host.
func remoteAddr(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		if first = strings.TrimSpace(first); first != "" {
			return first
		}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// read returns the (decompressed) body, at most maxBody bytes.
func (in *Input) read(r *http.Request) (*[]byte, *requestError) {
	var rd io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(io.LimitReader(r.Body, in.maxBody+1))
		if err != nil {
			return nil, &requestError{http.StatusBadRequest, fmt.Sprintf("gzip body: %v", err)}
		}
		rd = zr
	default:
		return nil, &requestError{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Encoding %q: only gzip is supported", enc)}
	}
	bp, _ := in.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	buf := (*bp)[:0]
	lim := io.LimitReader(rd, in.maxBody+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lim.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			*bp = buf
			in.bufs.Put(bp)
			return nil, &requestError{http.StatusBadRequest, fmt.Sprintf("reading the body: %v", err)}
		}
	}
	*bp = buf
	if int64(len(buf)) > in.maxBody {
		in.bufs.Put(bp)
		return nil, &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than buffer_max_size (%d bytes)", in.maxBody)}
	}
	if len(buf) == 0 {
		in.bufs.Put(bp)
		return nil, &requestError{http.StatusBadRequest, "empty body"}
	}
	return bp, nil
}
