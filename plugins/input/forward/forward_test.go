package forward

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/forwardproto"
	"github.com/tinylib/msgp/msgp"
)

func TestAcksAfterEmitAndAppliesTagPrefix(t *testing.T) {
	s := startServer(t, nil, "Tag_Prefix", "fw.")
	c := s.dial(t)
	packed := join(entry(1700000000, body(0, "a")), entry(1700000001, body(1, "b")))
	msg := arr(str("app"), bin(gzipped(t, packed)), options("chunk", "Y2h1bms=", "size", 2, "compressed", "gzip"))
	// Byte by byte: framing must reassemble a message from any split.
	for i := range msg {
		if _, err := c.Write(msg[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	ack := readMsg(t, c)
	if id, err := forwardproto.ParseAck(ack); err != nil || string(id) != "Y2h1bms=" {
		t.Fatalf("ack = %x (%v)", ack, err)
	}
	got := s.out.records(t)
	if len(got) != 2 || got[0] != `fw.app 1700000000000000000 {"seq":0,"msg":"a"}` {
		t.Fatalf("records: %q", got)
	}
	// The connection stays usable for the next message.
	c.Write(arr(str("app"), msgp.AppendInt(nil, 5), body(2, "c"), options("chunk", "2")))
	if id, _ := forwardproto.ParseAck(readMsg(t, c)); string(id) != "2" {
		t.Fatalf("second ack = %q", id)
	}
}

func TestTagReplacesClientTag(t *testing.T) {
	s := startServer(t, nil, "Tag", "fixed", "Tag_Prefix", "ignored.")
	c := s.dial(t)
	c.Write(arr(str("app"), msgp.AppendInt(nil, 5), body(0, "x"), options("chunk", "1")))
	readMsg(t, c)
	if got := s.out.records(t); len(got) != 1 || !strings.HasPrefix(got[0], "fixed ") {
		t.Fatalf("records: %q", got)
	}
}

func TestNoAckWhenThePipelineRefuses(t *testing.T) {
	s := startServer(t, &collector{err: errors.New("shutting down")})
	c := s.dial(t)
	c.Write(arr(str("app"), msgp.AppendInt(nil, 5), body(0, "x"), options("chunk", "1")))
	expectClosedWithoutReply(t, c) // closed without an ack: the client resends elsewhere
	waitFor(t, "the reason in the log", func() bool { return contains(s.logs.String(), "not acknowledged", "shutting down") })
}

// TestBadInputClosesOnlyThatConnection sends each kind of bad input on its
// own connection while a good client keeps sending on another.
func TestBadInputClosesOnlyThatConnection(t *testing.T) {
	s := startServer(t, nil, "Buffer_Chunk_Size", "1k", "Buffer_Max_Size", "4k", "Message_Timeout", "300ms")
	good := s.dial(t)
	send := func(seq int) {
		t.Helper()
		good.Write(arr(str("good"), msgp.AppendInt(nil, 5), body(seq, "ok"), options("chunk", "c")))
		readMsg(t, good)
	}
	tests := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"garbage", []byte{0xc1, 0xc1, 0xc1}, "invalid msgpack type code"},
		{"wrong types", arr(msgp.AppendInt(nil, 1), arr()), "tag: got int"},
		{"announced oversize", []byte{0x93, 0xa3, 'a', 'p', 'p', 0xc6, 0x7f, 0, 0, 0}, "too large"},
		{"actual oversize", arr(str("app"), bin(make([]byte, 5000))), "too large"},
		{"truncated, then closed", arr(str("app"), msgp.AppendInt(nil, 5), body(0, "x"))[:8], "closed inside a message"},
		{"slowloris", arr(str("app"), msgp.AppendInt(nil, 5), body(0, "x"))[:8], "slow or stalled client"},
		{"PING without handshake", forwardproto.AppendPing(nil, forwardproto.Ping{Hostname: "h"}), "requires no handshake"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := s.dial(t)
			c.Write(tc.data)
			if tc.name == "truncated, then closed" {
				c.(*net.TCPConn).CloseWrite()
			}
			expectClosedWithoutReply(t, c)
			waitFor(t, "the reason "+tc.reason, func() bool { return contains(s.logs.String(), "closing connection", tc.reason) })
			send(i)
		})
	}
	if n := s.out.count(); n != len(tests) {
		t.Errorf("%d records received, want the %d good ones only", n, len(tests))
	}
}

func TestUnixSocketWithPermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fluent.sock")
	s := startServer(t, nil, "Unix_Path", path, "Unix_Perm", "0640")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("socket mode = %v, %v", fi.Mode(), err)
	}
	c := s.dial(t)
	c.Write(arr(str("app"), arr(entry(1, body(0, "u"))), options("chunk", "u1")))
	if id, _ := forwardproto.ParseAck(readMsg(t, c)); string(id) != "u1" {
		t.Fatalf("ack %q", id)
	}
}

func TestUnixPathThatIsNotASocketIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	os.WriteFile(path, []byte("data"), 0o600)
	in := &Input{id: "forward.0", network: "unix", address: path}
	if _, err := in.listen(); err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Fatalf("err = %v", err)
	}
}

// handshake performs the client side of HELO/PING/PONG.
func handshake(t *testing.T, c net.Conn, hostname, key, user, password string) forwardproto.Pong {
	t.Helper()
	helo, err := forwardproto.ParseHelo(readMsg(t, c))
	if err != nil {
		t.Fatal(err)
	}
	salt := []byte("0123456789abcdef")
	ping := forwardproto.Ping{Hostname: hostname, SharedKeySalt: salt,
		SharedKeyDigest: forwardproto.SharedKeyDigest(salt, hostname, helo.Nonce, key), Username: user}
	if user != "" {
		ping.PasswordDigest = forwardproto.PasswordDigest(helo.Auth, user, password)
	}
	c.Write(forwardproto.AppendPing(nil, ping))
	pong, err := forwardproto.ParsePong(readMsg(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if pong.OK && pong.SharedKeyDigest != forwardproto.SharedKeyDigest(salt, pong.Hostname, helo.Nonce, key) {
		t.Error("server's PONG digest does not prove the shared key")
	}
	return pong
}

func TestSharedKeyHandshake(t *testing.T) {
	s := startServer(t, nil, "Shared_Key", "s3cret", "Self_Hostname", "server", "Security.Users", "alice wonderland", "Message_Timeout", "2s")
	tests := []struct {
		name, host, key, user, pass, reason string
	}{
		{"good", "client", "s3cret", "alice", "wonderland", ""},
		{"wrong key", "client", "guess", "alice", "wonderland", "shared_key mismatch"},
		{"wrong password", "client", "s3cret", "alice", "guess", "username/password mismatch"},
		{"same hostname as the server (allowed, as in Fluent Bit)", "server", "s3cret", "alice", "wonderland", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := s.dial(t)
			pong := handshake(t, c, tc.host, tc.key, tc.user, tc.pass)
			if tc.reason != "" {
				if pong.OK || pong.Reason != tc.reason {
					t.Fatalf("pong = %+v, want refusal %q", pong, tc.reason)
				}
				expectClosedWithoutReply(t, c)
				return
			}
			if !pong.OK || pong.Hostname != "server" {
				t.Fatalf("pong = %+v", pong)
			}
			c.Write(arr(str("app"), msgp.AppendInt(nil, 5), body(0, "x"), options("chunk", "1")))
			if id, _ := forwardproto.ParseAck(readMsg(t, c)); string(id) != "1" {
				t.Fatalf("ack %q", id)
			}
		})
	}
}

func TestHandshakeTimesOutASilentClient(t *testing.T) {
	s := startServer(t, nil, "Shared_Key", "k", "Message_Timeout", "200ms")
	c := s.dial(t)
	readMsg(t, c) // HELO, then silence
	expectClosedWithoutReply(t, c)
	waitFor(t, "the reason", func() bool { return contains(s.logs.String(), "waiting for PING") })
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T, dir string) (crt, key string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sluice test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(priv)
	crt, key = filepath.Join(dir, "crt.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return crt, key
}

func TestTLS(t *testing.T) {
	crt, key := writeCert(t, t.TempDir())
	s := startServer(t, nil, "tls", "on", "tls.crt_file", crt, "tls.key_file", key)
	pool := x509.NewCertPool()
	pemBytes, _ := os.ReadFile(crt)
	pool.AppendCertsFromPEM(pemBytes)
	c, err := tls.Dial("tcp", s.addr.String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(arr(str("app"), msgp.AppendInt(nil, 5), body(0, "tls"), options("chunk", "t")))
	if id, _ := forwardproto.ParseAck(readMsg(t, c)); string(id) != "t" {
		t.Fatalf("ack %q", id)
	}
	// A plain-text client fails the TLS handshake and is disconnected.
	plain := s.dial(t)
	plain.Write(arr(str("app"), msgp.AppendInt(nil, 5), body(0, "x")))
	expectClosed(t, plain)
	waitFor(t, "the reason", func() bool { return contains(s.logs.String(), "TLS handshake") })
}

// TestBatchesBufferedMessages writes 500 Message-mode messages at once, as
// a log driver does under load: they reach the pipeline in few Emits, and
// every one is acknowledged after its Emit. A bad message at the end
// keeps the good ones before it.
func TestBatchesBufferedMessages(t *testing.T) {
	s := startServer(t, nil)
	c := s.dial(t)
	var stream []byte
	for i := 0; i < 500; i++ {
		tag := "a"
		if i >= 400 {
			tag = "b" // a tag change splits the batch
		}
		stream = append(stream, arr(str(tag), msgp.AppendInt(nil, 5), body(i, "x"), options("chunk", strconv.Itoa(i)))...)
	}
	stream = append(stream, 0xc1)
	if _, err := c.Write(stream); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	acks := forwardproto.NewReader(c, 4096, 4096)
	for i := 0; i < 500; i++ {
		msg, err := acks.Next()
		if err != nil {
			t.Fatalf("ack %d: %v", i, err)
		}
		if id, err := forwardproto.ParseAck(msg); err != nil || string(id) != strconv.Itoa(i) {
			t.Fatalf("ack %d = %q, %v", i, id, err)
		}
	}
	expectClosedWithoutReply(t, c) // nothing for the bad message
	got := s.out.records(t)
	if len(got) != 500 || !strings.HasPrefix(got[399], "a ") || !strings.HasPrefix(got[400], "b ") {
		t.Fatalf("%d records; 399: %s; 400: %s", len(got), got[399], got[400])
	}
	s.out.mu.Lock()
	emits := len(s.out.got)
	s.out.mu.Unlock()
	if emits >= 250 {
		t.Errorf("%d Emits for 500 buffered messages: not batched", emits)
	}
}
