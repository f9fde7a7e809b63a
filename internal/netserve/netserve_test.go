package netserve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

func TestServeServesUntilCancelledAndWaits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var served, finished atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ln, slog.New(slog.DiscardHandler), func(ctx context.Context, c net.Conn) {
			served.Add(1)
			<-ctx.Done() // a connection that lasts until shutdown
			time.Sleep(20 * time.Millisecond)
			c.Close()
			finished.Add(1)
		})
	}()
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for served.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve returned %v after cancel", err)
	}
	if finished.Load() != 3 {
		t.Errorf("Serve returned before its connections: %d of 3 finished", finished.Load())
	}
}

// brokenListener fails Accept with a permanent error.
type brokenListener struct{ net.Listener }

func (brokenListener) Accept() (net.Conn, error) { return nil, io.ErrClosedPipe }

func TestServeReturnsAPermanentAcceptError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Serve(context.Background(), brokenListener{ln}, slog.New(slog.DiscardHandler), func(context.Context, net.Conn) {})
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Serve returned %v", err)
	}
}
