package forward

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	forwardin "github.com/sluice-logs/sluice/plugins/input/forward"
)

func section(kind config.Kind, kv ...string) *config.Section {
	s := &config.Section{Kind: kind}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Params = append(s.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	return s
}

// sink collects what a forward input receives.
type sink struct {
	mu   sync.Mutex
	tags []string
	recs []string // "time json meta"
}

func (s *sink) Emit(_ context.Context, tag string, events []byte, _ int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		js, _, _ := record.AppendJSON(nil, ev.Body)
		meta, _, _ := record.AppendJSON(nil, ev.Meta)
		s.tags = append(s.tags, tag)
		s.recs = append(s.recs, fmt.Sprintf("%d %s %s", int64(ev.Time), js, meta))
	}
	return it.Err()
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

// startInput runs the real forward input with kv on 127.0.0.1 and returns
// its port.
func startInput(t *testing.T, out *sink, kv ...string) string {
	t.Helper()
	spec := forwardin.Spec()
	cfg, err := plugin.Decode(&spec, section(config.KindInput, append([]string{"Name", "forward", "Listen", "127.0.0.1", "Port", "0"}, kv...)...), "[INPUT] forward")
	if err != nil {
		t.Fatal(err)
	}
	in, err := forwardin.New(plugin.Settings{ID: "forward.0", Tag: "forward.0", Config: cfg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx, out); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	addr := in.Addr(wctx)
	if addr == nil {
		t.Fatal("input did not listen")
	}
	_, port, _ := net.SplitHostPort(addr.String())
	return port
}

func newOutput(t *testing.T, kv ...string) *Output {
	t.Helper()
	o, err := newOutputErr(t, kv...)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func newOutputErr(t *testing.T, kv ...string) (*Output, error) {
	t.Helper()
	spec := Spec()
	cfg, err := plugin.Decode(&spec, section(config.KindOutput, append([]string{"Name", "forward", "Match", "*"}, kv...)...), "[OUTPUT] forward")
	if err != nil {
		t.Fatal(err)
	}
	o, err := New(plugin.Settings{ID: "forward.0", Config: cfg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return o, nil
}

// numbered builds a chunk of n records {"seq": i} with metadata {"m": 1}.
func numbered(tag string, from, n int) *record.Chunk {
	var b record.Builder
	for i := from; i < from+n; i++ {
		b.BeginEvent(record.Time(1700000000_000000000+int64(i)), []byte{0x81, 0xa1, 'm', 0x01})
		b.AppendMapHeader(1)
		b.AppendString("seq")
		b.AppendInt(int64(i))
	}
	return &record.Chunk{Tag: tag, Data: b.Bytes(), Records: b.Records()}
}

func writeCert(t *testing.T) (crt, key string) {
	t.Helper()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	kd, _ := x509.MarshalECPrivateKey(priv)
	dir := t.TempDir()
	crt, key = filepath.Join(dir, "crt.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600)
	return crt, key
}

func TestOutputToInput(t *testing.T) {
	crt, key := writeCert(t)
	tests := []struct {
		name   string
		in     []string
		out    []string
		tag    string
		record string // the first record as received
	}{
		{"plain", nil, nil, "app", `1700000000000000000 {"seq":0} {}`},
		{"ack and gzip", nil, []string{"Require_ack_response", "on", "Compress", "gzip"}, "app", `1700000000000000000 {"seq":0} {}`},
		{"options, tag, integer time, metadata", nil, []string{"Send_options", "on", "Tag", "other", "Time_as_Integer", "on", "Retain_Metadata_In_Forward_Mode", "on", "Add_Option", "origin sluice-test"},
			"other", `1700000000000000000 {"seq":0} {"m":1}`},
		{"shared key", []string{"Shared_Key", "k3y", "Self_Hostname", "in"}, []string{"Shared_Key", "k3y", "Self_Hostname", "out", "Require_ack_response", "on"}, "app", `1700000000000000000 {"seq":0} {}`},
		{"users", []string{"Shared_Key", "k3y", "Security.Users", "bob pw"}, []string{"Shared_Key", "k3y", "Self_Hostname", "out", "Username", "bob", "Password", "pw"}, "app", `1700000000000000000 {"seq":0} {}`},
		{"tls", []string{"tls", "on", "tls.crt_file", crt, "tls.key_file", key}, []string{"tls", "on", "tls.ca_file", crt, "Require_ack_response", "on"}, "app", `1700000000000000000 {"seq":0} {}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := &sink{}
			port := startInput(t, got, tc.in...)
			o := newOutput(t, append([]string{"Host", "127.0.0.1", "Port", port}, tc.out...)...)
			for i := 0; i < 3; i++ {
				if err := o.Flush(context.Background(), numbered("app", i*100, 100)); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, "300 records", func() bool { return got.count() == 300 })
			got.mu.Lock()
			defer got.mu.Unlock()
			if got.tags[0] != tc.tag || got.recs[0] != tc.record {
				t.Errorf("first record: %s %s", got.tags[0], got.recs[0])
			}
			for i, r := range got.recs {
				if !strings.Contains(r, fmt.Sprintf(`{"seq":%d}`, i)) {
					t.Fatalf("record %d = %s", i, r)
				}
			}
			if o.requireAck || o.keepalive {
				o.mu.Lock()
				kept := len(o.idle)
				o.mu.Unlock()
				if kept != 1 {
					t.Errorf("%d kept connections after sequential flushes, want 1 reused", kept)
				}
			}
		})
	}
}

func TestWrongSharedKeyFails(t *testing.T) {
	port := startInput(t, &sink{}, "Shared_Key", "right")
	o := newOutput(t, "Port", port, "Shared_Key", "wrong", "Self_Hostname", "client")
	err := o.Flush(context.Background(), numbered("app", 0, 1))
	if err == nil || !strings.Contains(err.Error(), "shared_key mismatch") {
		t.Fatalf("err = %v", err)
	}
}

// TestUnackedChunkFails uses a server that reads and never acknowledges.
func TestUnackedChunkFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, c)
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	o := newOutput(t, "Port", port, "Require_ack_response", "on", "net.io_timeout", "200ms")
	err = o.Flush(context.Background(), numbered("app", 0, 1))
	if err == nil || !strings.Contains(err.Error(), "waiting for the ack") {
		t.Fatalf("err = %v", err)
	}
	if class, _, _ := plugin.Classify(err); class != plugin.ClassRetryable {
		t.Errorf("class %v, want retryable", class)
	}
}

func TestFlushEndsWithItsContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, c)
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	o := newOutput(t, "Port", port, "Require_ack_response", "on", "net.io_timeout", "1h")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := o.Flush(ctx, numbered("app", 0, 1)); err == nil {
		t.Fatal("Flush without an ack succeeded")
	}
}

func TestReconnectsWhenTheServerClosedAKeptConnection(t *testing.T) {
	got := &sink{}
	o := newOutput(t, "Port", startInput(t, got))
	if err := o.Flush(context.Background(), numbered("app", 0, 1)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "1 record", func() bool { return got.count() == 1 })
	o.mu.Lock()
	kept := o.idle[0]
	o.mu.Unlock()
	kept.nc.Close() // as if the server had hung up
	if err := o.Flush(context.Background(), numbered("app", 1, 1)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "2 records", func() bool { return got.count() == 2 })
}

func TestUpstreamRoundRobinAndFailover(t *testing.T) {
	a, b := &sink{}, &sink{}
	pa, pb := startInput(t, a), startInput(t, b)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	_, pdead, _ := net.SplitHostPort(dead.Addr().String())
	dead.Close()
	file := filepath.Join(t.TempDir(), "upstream.conf")
	os.WriteFile(file, []byte(fmt.Sprintf(`# three nodes, one of them down
[UPSTREAM]
    name  forward-balancing

[NODE]
    name  a
    host  127.0.0.1
    port  %s

[NODE]
    name  dead
    host  127.0.0.1
    port  %s

[NODE]
    name  b
    host  127.0.0.1
    port  %s
`, pa, pdead, pb)), 0o600)
	o := newOutput(t, "Upstream", file, "Require_ack_response", "on", "net.connect_timeout", "1s")
	for i := 0; i < 9; i++ {
		if err := o.Flush(context.Background(), numbered("app", i, 1)); err != nil {
			t.Fatalf("flush %d: %v", i, err)
		}
	}
	// Round robin over a, dead, b: a gets its turns, b its own and dead's.
	if a.count() != 3 || b.count() != 6 {
		t.Errorf("node a got %d chunks, b %d; want 3 and 6", a.count(), b.count())
	}
}

func TestNoNodeReachable(t *testing.T) {
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(dead.Addr().String())
	dead.Close()
	o := newOutput(t, "Port", port)
	if err := o.Flush(context.Background(), numbered("app", 0, 1)); err == nil || !strings.Contains(err.Error(), "no node reachable") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnixPath(t *testing.T) {
	got := &sink{}
	path := filepath.Join(t.TempDir(), "fw.sock")
	startInput(t, got, "Unix_Path", path)
	o := newOutput(t, "Unix_Path", path, "Require_ack_response", "on")
	if err := o.Flush(context.Background(), numbered("app", 0, 5)); err != nil {
		t.Fatal(err)
	}
	if got.count() != 5 {
		t.Fatalf("%d records", got.count())
	}
}

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
