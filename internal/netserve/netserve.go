// Package netserve is the accept loop every stream input shares (forward,
// tcp, syslog): accept until the context ends, serve each connection in a
// goroutine the loop owns, back off on temporary accept errors (out of file
// descriptors and the like, as net/http's server does), and return only
// once every connection's goroutine has returned.
package netserve

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Serve accepts connections on ln until ctx ends, calling serve for each in
// its own goroutine. It closes ln when ctx ends and returns nil then; it
// returns the accept error that is not temporary otherwise. Either way it
// waits for every serve call to return first.
func Serve(ctx context.Context, ln net.Listener, logger *slog.Logger, serve func(context.Context, net.Conn)) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && !errors.Is(err, net.ErrClosed) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				logger.Warn("accept failed; retrying", "error", err, "retry_in", delay)
				select {
				case <-time.After(delay):
					continue
				case <-ctx.Done():
					return nil
				}
			}
			return err
		}
		delay = 0
		wg.Add(1)
		go func() {
			defer wg.Done()
			serve(ctx, nc)
		}()
	}
}
