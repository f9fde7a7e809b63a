package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"
)

// TestForwardFluentLoggerGolang sends numbered records with
// github.com/fluent/fluent-logger-golang, the library behind Docker's
// fluentd and awsfirelens log drivers, in each of its modes, to one sluice
// listening on TCP, TLS and a Unix socket, and checks every record arrives
// exactly once.
func TestForwardFluentLoggerGolang(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	sock := filepath.Join(dir, "fluent.sock")
	crt, key := fwdWriteCert(t, dir)
	port, tlsPort := freePort(t), freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush      0.2
    Grace      5
    Log_Level  debug

[INPUT]
    Name    forward
    Listen  127.0.0.1
    Port    %d

[INPUT]
    Name       forward
    Unix_Path  %s
    Unix_Perm  0600

[INPUT]
    Name          forward
    Listen        127.0.0.1
    Port          %d
    tls           on
    tls.crt_file  %s
    tls.key_file  %s

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    Format  plain
    Mkdir   On
`, port, sock, tlsPort, crt, key, out))
	p := start(t, nil, "-c", cfg)
	fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	fwdWaitListening(t, p, "unix", sock)
	fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", tlsPort))

	const n = 300
	modes := []struct {
		name string
		cfg  fluent.Config
	}{
		{"sync", fluent.Config{}},
		{"async", fluent.Config{Async: true}},
		{"sync_ack", fluent.Config{RequestAck: true}},
		{"async_ack", fluent.Config{Async: true, RequestAck: true}},
		{"subsecond", fluent.Config{SubSecondPrecision: true, RequestAck: true}},
		{"unix", fluent.Config{FluentNetwork: "unix", FluentSocketPath: sock, RequestAck: true}},
		{"tls", fluent.Config{FluentNetwork: "tls", FluentPort: tlsPort, TlsInsecureSkipVerify: true, RequestAck: true}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := m.cfg
			c.FluentHost = "127.0.0.1"
			if c.FluentPort == 0 {
				c.FluentPort = port
			}
			c.Timeout, c.WriteTimeout, c.ReadTimeout = 5*time.Second, 5*time.Second, 5*time.Second
			c.MaxRetry = 3
			logger, err := fluent.New(c)
			if err != nil {
				t.Fatal(err)
			}
			base := time.Unix(1700000000, 123456789)
			for i := 0; i < n; i++ {
				rec := map[string]any{"seq": i, "mode": m.name, "log": fmt.Sprintf("line %d from fluent-logger-golang", i)}
				if err := logger.PostWithTime("golang."+m.name, base.Add(time.Duration(i)*time.Millisecond), rec); err != nil {
					t.Fatalf("post %d: %v", i, err)
				}
			}
			if err := logger.Close(); err != nil {
				t.Fatal(err)
			}
			recs := fwdWaitRecords(t, filepath.Join(out, "golang."+m.name), n)
			if recs[0]["mode"] != m.name {
				t.Errorf("record %v", recs[0])
			}
		})
	}
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, m := range modes {
		checkSequence(t, jsonLines(t, filepath.Join(out, "golang."+m.name)), "seq", n)
	}
}

// fwdNodeLogger returns the directory holding @fluent-org/logger, installed
// by `make deps` into .cache/npm. Outside CI a missing install skips the
// test; in CI (CI set) it fails it, since make test installs it.
func fwdNodeLogger(t *testing.T) string {
	t.Helper()
	mods := filepath.Join(fwdRepoRoot(t), ".cache", "npm", "node_modules")
	if _, err := os.Stat(filepath.Join(mods, "@fluent-org", "logger", "package.json")); err != nil {
		fwdNeed(t, "@fluent-org/logger is not installed: run `make deps` (make e2e does)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		fwdNeed(t, "node is not installed")
	}
	return mods
}

// fwdNeed skips the test outside CI and fails it in CI.
func fwdNeed(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// fwdNodeScript sends numbered records with @fluent-org/logger; its
// arguments are a JSON object of FluentClient options, the tag, the
// count, and the path of an optional CA certificate.
const fwdNodeScript = `
const fs = require("fs");
const { FluentClient } = require("@fluent-org/logger");
const [opts, tag, count, ca] = [JSON.parse(process.argv[2]), process.argv[3], Number(process.argv[4]), process.argv[5]];
if (ca) opts.socket.tls = { ca: fs.readFileSync(ca) }; // the socket options take tls, whatever the README says
opts.onSocketError = (err) => console.error("socket error:", err.message);
const client = new FluentClient(undefined, opts);
(async () => {
  const pending = [];
  for (let i = 0; i < count; i++) {
    pending.push(client.emit(tag, { seq: i, log: "line " + i + " from @fluent-org/logger" }));
  }
  await Promise.all(pending);
  await client.disconnect();
})().catch((err) => { console.error("failed:", err); process.exit(1); });
`

// TestForwardNodeLogger sends numbered records with the npm package
// @fluent-org/logger in all four event modes, each with acks, and with a
// shared key over TLS.
func TestForwardNodeLogger(t *testing.T) {
	mods := fwdNodeLogger(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	crt, key := fwdWriteCert(t, dir)
	port, securePort := freePort(t), freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush      0.2
    Grace      5
    Log_Level  debug

[INPUT]
    Name    forward
    Listen  127.0.0.1
    Port    %d

[INPUT]
    Name           forward
    Listen         127.0.0.1
    Port           %d
    Shared_Key     secure_communication_is_awesome
    Self_Hostname  sluice.test
    tls            on
    tls.crt_file   %s
    tls.key_file   %s

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    Format  plain
    Mkdir   On
`, port, securePort, crt, key, out))
	script := writeFile(t, dir, "send.js", fwdNodeScript)
	p := start(t, nil, "-c", cfg)
	fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", securePort))

	const n = 500
	tests := []struct {
		name, opts, ca string
	}{
		{"message", `{"eventMode": "Message", "ack": {}}`, ""},
		{"forward", `{"eventMode": "Forward", "ack": {}}`, ""},
		{"packed", `{"eventMode": "PackedForward", "ack": {}}`, ""},
		{"compressed", `{"eventMode": "CompressedPackedForward", "ack": {}}`, ""},
		{"no_ack", `{"eventMode": "PackedForward"}`, ""},
		{"shared_key_tls", `{"eventMode": "CompressedPackedForward", "ack": {},
			"security": {"clientHostname": "client.test", "sharedKey": "secure_communication_is_awesome"}}`, crt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := strings.Replace(tc.opts, "{", fmt.Sprintf(`{"socket": {"host": "127.0.0.1", "port": %d, "timeout": 5000},`, port), 1)
			if tc.ca != "" {
				opts = strings.Replace(tc.opts, "{", fmt.Sprintf(`{"socket": {"host": "127.0.0.1", "port": %d, "timeout": 5000},`, securePort), 1)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "node", script, opts, "node."+tc.name, fmt.Sprint(n), tc.ca)
			cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
			if outb, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("node client: %v\n%s", err, outb)
			}
			fwdWaitRecords(t, filepath.Join(out, "node."+tc.name), n)
		})
	}
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, tc := range tests {
		checkSequence(t, jsonLines(t, filepath.Join(out, "node."+tc.name)), "seq", n)
	}
}

// TestForwardSluiceToSluice chains two sluice processes: stdin -> forward
// output (acks, gzip, TLS, shared key) -> forward input -> file. The sender
// starts first, while the receiver is down, so its first chunks fail and
// are retried by the engine; none may be lost or duplicated.
func TestForwardSluiceToSluice(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	crt, key := fwdWriteCert(t, dir)
	port := freePort(t)
	receiverCfg := writeFile(t, dir, "receiver.conf", fmt.Sprintf(`
[SERVICE]
    Flush      0.2
    Grace      5

[INPUT]
    Name           forward
    Listen         127.0.0.1
    Port           %d
    Shared_Key     chain-key
    Self_Hostname  receiver
    tls            on
    tls.crt_file   %s
    tls.key_file   %s

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    received.log
    Format  plain
    Mkdir   On
`, port, crt, key, out))
	senderCfg := writeFile(t, dir, "sender.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.1
    scheduler.cap   0.5

[INPUT]
    Name  stdin
    Tag   app.numbers

[OUTPUT]
    Name                  forward
    Match                 app.*
    Host                  127.0.0.1
    Port                  %d
    Require_ack_response  on
    Compress              gzip
    Shared_Key            chain-key
    Self_Hostname         sender
    tls                   on
    tls.verify            on
    tls.ca_file           %s
    net.connect_timeout   2s
    net.io_timeout        5s
`, port, crt))
	const n = 5000
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	sender := start(t, pr, "-c", senderCfg)
	pr.Close()
	half := numberedLines(n)
	cut := strings.Index(half, fmt.Sprintf(`{"seq":%d,`, n/2))
	pw.WriteString(half[:cut])
	eventually(t, 10*time.Second, "a failed flush while the receiver is down", func() bool {
		return strings.Contains(sender.stderr.String(), fmt.Sprintf("connect to 127.0.0.1:%d", port))
	})
	receiver := start(t, nil, "-c", receiverCfg)
	fwdWaitListening(t, receiver, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	pw.WriteString(half[cut:])
	pw.Close()
	fwdWaitRecords(t, filepath.Join(out, "received.log"), n)
	if code := sender.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("sender exit code %d", code)
	}
	if code := receiver.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("receiver exit code %d", code)
	}
	checkSequence(t, jsonLines(t, filepath.Join(out, "received.log")), "seq", n)
}

// TestForwardBadClientsDoNotAffectOthers opens connections that send
// garbage, an oversize message, a truncated message and a message one byte
// at a time too slowly, while a well-behaved client sends numbered
// records: the bad connections are closed with their reason logged, and
// every good record arrives.
func TestForwardBadClientsDoNotAffectOthers(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	port := freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush      0.2
    Grace      5

[INPUT]
    Name               forward
    Listen             127.0.0.1
    Port               %d
    Buffer_Chunk_Size  4k
    Buffer_Max_Size    64k
    Message_Timeout    500ms

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    Format  plain
    Mkdir   On
`, port, out))
	p := start(t, nil, "-c", cfg)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	fwdWaitListening(t, p, "tcp", addr)
	bad := map[string][]byte{
		"garbage":  []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		"oversize": append([]byte{0x93, 0xa1, 'a', 0xc6, 0x00, 0x10, 0x00, 0x00}, make([]byte, 100)...),
		"slow":     {0x93, 0xa1, 'a'},
	}
	var conns []net.Conn
	for _, data := range bad {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write(data)
		conns = append(conns, c)
	}
	logger, err := fluent.New(fluent.Config{FluentHost: "127.0.0.1", FluentPort: port, RequestAck: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := 0; i < n; i++ {
		if err := logger.Post("good", map[string]any{"seq": i}); err != nil {
			t.Fatal(err)
		}
	}
	logger.Close()
	fwdWaitRecords(t, filepath.Join(out, "good"), n)
	for _, reason := range []string{"must be an array", "over the limit", "slow or stalled client"} {
		eventually(t, 5*time.Second, "log of "+reason, func() bool { return fwdLogHas(p, "closing connection", reason) })
	}
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("a bad connection got data instead of being closed")
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Error("a bad connection is still open")
		}
	}
}

// TestForwardUpstreamBalancesAndFailsOver sends numbered records from one
// sluice through an Upstream file of three nodes, one of them down, to two
// receiving sluices: both receivers get records, the dead node's turns go
// to the next node, and the union is every record exactly once.
func TestForwardUpstreamBalancesAndFailsOver(t *testing.T) {
	dir := t.TempDir()
	portA, portB, portDead := freePort(t), freePort(t), freePort(t)
	var receivers []*process
	for i, port := range []int{portA, portB} {
		cfg := writeFile(t, dir, fmt.Sprintf("receiver%d.conf", i), fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  5

[INPUT]
    Name    forward
    Listen  127.0.0.1
    Port    %d

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    received%d.log
    Format  plain
    Mkdir   On
`, port, filepath.Join(dir, "out"), i))
		p := start(t, nil, "-c", cfg)
		fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
		receivers = append(receivers, p)
	}
	upstream := writeFile(t, dir, "upstream.conf", fmt.Sprintf(`
[UPSTREAM]
    name  receivers

[NODE]
    name  a
    host  127.0.0.1
    port  %d

[NODE]
    name  down
    host  127.0.0.1
    port  %d

[NODE]
    name  b
    host  127.0.0.1
    port  %d
`, portA, portDead, portB))
	senderCfg := writeFile(t, dir, "sender.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.1
    Grace  10

[INPUT]
    Name  stdin
    Tag   app.numbers

[OUTPUT]
    Name                  forward
    Match                 *
    Upstream              %s
    Require_ack_response  on
    net.connect_timeout   2s
`, upstream))
	const n = 3000
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	sender := start(t, pr, "-c", senderCfg)
	pr.Close()
	// Several flushes, so that round robin has turns to give.
	lines := strings.SplitAfter(numberedLines(n), "\n")
	for i := 0; i < n; i += n / 10 {
		pw.WriteString(strings.Join(lines[i:i+n/10], ""))
		eventually(t, 10*time.Second, "the batch to be sent", func() bool {
			return len(jsonLines(t, filepath.Join(dir, "out", "received0.log")))+len(jsonLines(t, filepath.Join(dir, "out", "received1.log"))) >= i+n/10
		})
	}
	pw.Close()
	if code := sender.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("sender exit code %d", code)
	}
	for _, p := range receivers {
		if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
			t.Fatalf("receiver exit code %d", code)
		}
	}
	a, b := jsonLines(t, filepath.Join(dir, "out", "received0.log")), jsonLines(t, filepath.Join(dir, "out", "received1.log"))
	if len(a) == 0 || len(b) == 0 {
		t.Errorf("node a got %d records, node b %d: both should get chunks", len(a), len(b))
	}
	checkSequence(t, append(a, b...), "seq", n)
}
