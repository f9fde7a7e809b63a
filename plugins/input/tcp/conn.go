package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/recordstream"
)

// serve reads one client until it disconnects, sends something invalid,
// or ctx ends; the reason is logged and other connections go on.
func (in *Input) serve(ctx context.Context, nc net.Conn, emit plugin.Emitter) {
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	defer nc.Close()
	remote := nc.RemoteAddr().String()
	d := &recordstream.Decoder{JSON: in.format == "json", Sep: in.separator, Max: in.maxSize, SourceKey: in.sourceKey, Source: remote}
	records := 0
	buf := make([]byte, in.chunkSize)
	for {
		n, rerr := nc.Read(buf)
		now := record.Now()
		err := d.Feed(buf[:n], now)
		if rerr != nil && err == nil {
			if !errors.Is(rerr, io.EOF) && ctx.Err() == nil {
				err = fmt.Errorf("read: %w", rerr)
			} else {
				err = d.End(now)
			}
		}
		if d.Events.Records() > 0 {
			if eerr := emit.Emit(ctx, in.tag, d.Events.Bytes(), d.Events.Records()); eerr != nil {
				return // shutting down
			}
			records += d.Events.Records()
			d.Events.Reset()
		}
		if err != nil {
			in.logger.Warn("closing connection", "remote", remote, "reason", err.Error(), "records", records)
			return
		}
		if rerr != nil {
			in.logger.Debug("connection closed", "remote", remote, "records", records)
			return
		}
	}
}
