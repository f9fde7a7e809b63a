package tcp

import (
	"context"
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
)

type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) Emit(_ context.Context, tag string, events []byte, _ int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	it := record.NewIterator(events)
	for it.Next() {
		js, _, _ := record.AppendJSON(nil, it.Event().Body)
		l.got = append(l.got, tag+" "+string(js))
	}
	return it.Err()
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}

func run(t *testing.T, kv ...string) (*lines, string) {
	t.Helper()
	spec := Spec()
	sect := &config.Section{Kind: config.KindInput}
	all := append([]string{"Name", "tcp", "Listen", "127.0.0.1", "Port", "0"}, kv...)
	for i := 0; i+1 < len(all); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: all[i], Value: all[i+1]})
	}
	cfg, err := plugin.Decode(&spec, sect, "[INPUT] tcp")
	if err != nil {
		t.Fatal(err)
	}
	in, err := New(plugin.Settings{ID: "tcp.0", Tag: "health", Config: cfg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	out := &lines{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx, out); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	addr := in.Addr(ctx)
	return out, addr.String()
}

func TestTCP(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		send string
		want []string
	}{
		{"json lines", nil, "{\"health\":\"check\"}\n\nnot json\n{\"a\":1}\r\n{\"b\":2}",
			[]string{`health {"health":"check"}`, `health {"a":1}`, `health {"b":2}`}},
		{"none with separator", []string{"Format", "none", "Separator", ";"}, "one;two;three",
			[]string{`health {"log":"one"}`, `health {"log":"two"}`, `health {"log":"three"}`}},
		{"source address", []string{"Source_Address_Key", "src"}, "{\"a\":1}\n", []string{`health {"a":1,"src":"127.0.0.1:PORT"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, addr := run(t, tc.kv...)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			local := c.LocalAddr().String()
			c.Write([]byte(tc.send))
			c.Close()
			deadline := time.Now().Add(5 * time.Second)
			for len(out.all()) < len(tc.want) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			got := strings.Join(out.all(), "\n")
			want := strings.ReplaceAll(strings.Join(tc.want, "\n"), "127.0.0.1:PORT", local)
			if got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestRecordLongerThanBufferSizeClosesTheConnection(t *testing.T) {
	out, addr := run(t, "Chunk_Size", "1", "Buffer_Size", "2")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(fmt.Sprintf("{\"a\":%q}\n", strings.Repeat("x", 3000))))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Fatalf("connection not closed: %v", err)
	}
	if len(out.all()) != 0 {
		t.Error("an oversize record was emitted")
	}
}

// FuzzAppend feeds arbitrary lines to the record builder in both formats:
// whatever the line, the batch must stay valid chunk data.
func FuzzAppend(f *testing.F) {
	f.Add([]byte(`{"a":1}`), true)
	f.Add([]byte(`{"a":`), true)
	f.Add([]byte("plain text\r"), false)
	f.Fuzz(func(t *testing.T, line []byte, json bool) {
		in := &Input{json: json, sourceKey: "src", logger: slog.New(slog.DiscardHandler)}
		var b record.Builder
		in.append(&b, line, "127.0.0.1:1")
		in.append(&b, []byte(`{"ok":true}`), "127.0.0.1:1")
		if n, err := record.Count(b.Bytes()); err != nil || n != b.Records() {
			t.Fatalf("%d records, builder says %d: %v", n, b.Records(), err)
		}
	})
}
