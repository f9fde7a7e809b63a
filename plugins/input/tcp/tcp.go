package tcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var _ plugin.Input = (*Input)(nil)

// Input is the tcp input.
type Input struct {
	id, tag    string
	logger     *slog.Logger
	address    string
	chunk, max int
	json       bool
	sep        []byte
	sourceKey  string
	bound      chan struct{}
	addr       net.Addr
}

// New returns a tcp input configured by s.Config (see Spec).
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{id: s.ID, tag: s.Tag, logger: s.Logger, json: c.String("Format") == "json",
		sourceKey: c.String("Source_Address_Key"), bound: make(chan struct{}),
		address: net.JoinHostPort(c.String("Listen"), strconv.FormatInt(c.Int("Port"), 10))}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	chunk, _ := parseKB(c.String("Chunk_Size")) // checked by the Spec
	max := chunk
	if c.IsSet("Buffer_Size") {
		max, _ = parseKB(c.String("Buffer_Size"))
	}
	if chunk <= 0 || max < chunk {
		return nil, c.Errorf("Buffer_Size", "must be at least Chunk_Size (%d bytes) and above 0", chunk)
	}
	in.chunk, in.max = int(chunk), int(max)
	sep := strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\t`, "\t").Replace(c.String("Separator"))
	if in.json || sep == "" {
		sep = "\n"
	}
	in.sep = []byte(sep)
	return in, nil
}

// Run listens until ctx ends, serving each connection in a goroutine it
// owns.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	ln, err := net.Listen("tcp", in.address)
	if err != nil {
		return fmt.Errorf("tcp input %s: listen on %s: %w (is another process using it?)", in.id, in.address, err)
	}
	in.addr = ln.Addr()
	close(in.bound)
	in.logger.Info("listening", "address", in.addr.String())
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("tcp input %s: accept: %w", in.id, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer nc.Close()
			cstop := context.AfterFunc(ctx, func() { nc.Close() })
			defer cstop()
			if err := in.serve(ctx, nc, emit); err != nil && ctx.Err() == nil {
				in.logger.Warn("closing connection", "remote", nc.RemoteAddr().String(), "reason", err.Error())
			}
		}()
	}
}

// Addr waits until Run is listening and returns the bound address, or nil
// when ctx ends first.
func (in *Input) Addr(ctx context.Context) net.Addr {
	select {
	case <-in.bound:
		return in.addr
	case <-ctx.Done():
		return nil
	}
}

// serve reads records from one connection; each read's complete records
// are emitted as one batch.
func (in *Input) serve(ctx context.Context, nc net.Conn, emit plugin.Emitter) error {
	buf := make([]byte, in.chunk)
	end := 0
	var b record.Builder
	source := nc.RemoteAddr().String()
	for {
		if end == len(buf) {
			if len(buf) >= in.max {
				return fmt.Errorf("record longer than Buffer_Size (%d bytes); raise Buffer_Size", in.max)
			}
			grown := make([]byte, min(len(buf)+in.chunk, in.max))
			copy(grown, buf[:end])
			buf = grown
		}
		n, rerr := nc.Read(buf[end:])
		end += n
		b.Reset()
		rest := buf[:end]
		for {
			i := bytes.Index(rest, in.sep)
			if i < 0 {
				break
			}
			in.append(&b, rest[:i], source)
			rest = rest[i+len(in.sep):]
		}
		if rerr != nil && len(rest) > 0 { // the last record needs no separator
			in.append(&b, rest, source)
			rest = nil
		}
		end = copy(buf, rest)
		if b.Records() > 0 {
			if err := emit.Emit(ctx, in.tag, b.Bytes(), b.Records()); err != nil {
				return err
			}
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, net.ErrClosed) {
				return nil
			}
			return rerr
		}
	}
}

// append adds one record; an invalid JSON line is logged and skipped.
func (in *Input) append(b *record.Builder, rec []byte, source string) {
	rec = bytes.TrimRight(rec, "\r")
	if in.json && len(bytes.TrimSpace(rec)) == 0 {
		return
	}
	m, start := b.Mark(), b.Size()
	b.BeginEvent(record.Now(), nil)
	extra := 0
	if in.sourceKey != "" {
		extra = 1
	}
	if in.json {
		trimmed := bytes.TrimSpace(rec)
		if trimmed[0] != '{' || b.AppendJSONValue(trimmed) != nil {
			b.Rollback(m)
			in.logger.Warn("dropped a line that is not a JSON object", "bytes", len(rec))
			return
		}
		if extra > 0 {
			in.addSource(b, m, start, source)
		}
		return
	}
	b.AppendMapHeader(1 + extra)
	b.AppendString("log")
	b.AppendStringBytes(rec)
	if extra > 0 {
		b.AppendString(in.sourceKey)
		b.AppendString(source)
	}
}

// addSource re-encodes the event just appended at start (mark m) with the
// source address key added to its body.
func (in *Input) addSource(b *record.Builder, m record.Mark, start int, source string) {
	it := record.NewIterator(b.Bytes()[start:])
	if !it.Next() {
		return
	}
	ev := *it.Event()
	body := append([]byte(nil), ev.Body...)
	b.Rollback(m)
	b.BeginEvent(ev.Time, nil)
	n := 0
	record.MapEntries(body, func(_, _ []byte) bool { n++; return true })
	b.AppendMapHeader(n + 1)
	record.MapEntries(body, func(k, v []byte) bool {
		b.AppendStringBytes(k)
		b.AppendRawValue(v)
		return true
	})
	b.AppendString(in.sourceKey)
	b.AppendString(source)
}
