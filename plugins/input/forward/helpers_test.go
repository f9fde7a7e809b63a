package forward

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// emitted is one Emit call as the collector saw it.
type emitted struct {
	tag    string
	events []byte
	n      int
}

// collector is an Emitter that keeps what it is given, or fails with err.
type collector struct {
	mu    sync.Mutex
	got   []emitted
	err   error
	block chan struct{} // when set, Emit waits for it (or ctx)
}

func (c *collector) Emit(ctx context.Context, tag string, events []byte, n int) error {
	if c.block != nil {
		select {
		case <-c.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.got = append(c.got, emitted{tag, append([]byte(nil), events...), n})
	return nil
}

// records returns every record received as "tag time json" lines.
func (c *collector) records(t *testing.T) []string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.got {
		it := record.NewIterator(e.events)
		for it.Next() {
			ev := it.Event()
			js, _, err := record.AppendJSON(nil, ev.Body)
			if err != nil {
				t.Fatal(err)
			}
			line := fmt.Sprintf("%s %d %s", e.tag, int64(ev.Time), js)
			if len(ev.Meta) > 1 {
				meta, _, _ := record.AppendJSON(nil, ev.Meta)
				line += " meta=" + string(meta)
			}
			out = append(out, line)
		}
		if it.Err() != nil {
			t.Fatalf("emitted events do not decode: %v", it.Err())
		}
	}
	return out
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.got {
		n += e.n
	}
	return n
}

// logBuffer is a slog handler target safe for concurrent writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is a running forward input under test.
type server struct {
	in   *Input
	addr net.Addr
	out  *collector
	logs *logBuffer
	done chan error
}

// startServer runs a forward input configured by kv (Listen 127.0.0.1 and
// Port 0 unless given) and stops it when the test ends.
func startServer(t *testing.T, out *collector, kv ...string) *server {
	t.Helper()
	spec := Spec()
	sect := &config.Section{Kind: config.KindInput}
	kv = append([]string{"Name", "forward", "Listen", "127.0.0.1", "Port", "0"}, kv...)
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	cfg, err := plugin.Decode(&spec, sect, "[INPUT] forward")
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	tag := "forward.0"
	if cfg.IsSet("Tag") {
		tag = cfg.String("Tag")
	}
	in, err := New(plugin.Settings{ID: "forward.0", Tag: tag, Config: cfg, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if out == nil {
		out = &collector{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{in: in, out: out, logs: logs, done: make(chan error, 1)}
	go func() { s.done <- in.Run(ctx, out) }()
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if s.addr = in.Addr(wctx); s.addr == nil {
		cancel()
		t.Fatalf("input did not listen: %v", <-s.done)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
		if t.Failed() {
			t.Logf("input logs:\n%s", logs.String())
		}
	})
	return s
}

func (s *server) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial(s.addr.Network(), s.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readMsg reads one msgpack value from c within 5 s.
func readMsg(t *testing.T, c net.Conn) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	r := msgp.NewReader(c)
	raw, err := r.ReadIntf()
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	out, err := msgp.AppendIntf(nil, raw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// expectClosed checks that the server closes c within 5 s and returns the
// bytes it sent before closing.
func expectClosed(t *testing.T, c net.Conn) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []byte
	buf := make([]byte, 64)
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("connection still open after 5 s")
		}
		return got
	}
}

// expectClosedWithoutReply checks that the server closes c within 5 s
// without sending anything first: no ack, no error message the client
// could take for one.
func expectClosedWithoutReply(t *testing.T, c net.Conn) {
	t.Helper()
	if got := expectClosed(t, c); len(got) > 0 {
		t.Fatalf("the server sent %d bytes (% x) before closing; want none", len(got), got)
	}
}

// Message builders.

func eventTime(sec, nsec uint32) []byte {
	b := []byte{0xd7, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}
	b[2], b[3], b[4], b[5] = byte(sec>>24), byte(sec>>16), byte(sec>>8), byte(sec)
	b[6], b[7], b[8], b[9] = byte(nsec>>24), byte(nsec>>16), byte(nsec>>8), byte(nsec)
	return b
}

// body encodes {"seq": i, "msg": s}.
func body(i int, s string) []byte {
	b := msgp.AppendMapHeader(nil, 2)
	b = msgp.AppendString(b, "seq")
	b = msgp.AppendInt(b, i)
	b = msgp.AppendString(b, "msg")
	return msgp.AppendString(b, s)
}

// entry encodes [time, body] with an integer time.
func entry(sec int64, b []byte) []byte {
	e := msgp.AppendArrayHeader(nil, 2)
	e = msgp.AppendInt64(e, sec)
	return append(e, b...)
}

func options(kv ...any) []byte {
	b := msgp.AppendMapHeader(nil, uint32(len(kv)/2))
	for i := 0; i+1 < len(kv); i += 2 {
		b = msgp.AppendString(b, kv[i].(string))
		switch v := kv[i+1].(type) {
		case string:
			b = msgp.AppendString(b, v)
		case int:
			b = msgp.AppendInt(b, v)
		}
	}
	return b
}

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
