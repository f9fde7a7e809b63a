package e2e

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// netDialRetry connects to addr, waiting for sluice to start listening.
func netDialRetry(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	var c net.Conn
	eventually(t, 10*time.Second, "listening on "+addr, func() bool {
		var err error
		c, err = net.Dial(network, addr)
		return err == nil
	})
	return c
}

// TestTCPInput sends numbered JSON records over two connections, the
// second split into small writes, while a third client sends garbage:
// every numbered record reaches the file output once, the bad client is
// closed with a warning naming it.
func TestTCPInput(t *testing.T) {
	const n = 1000
	dir := t.TempDir()
	port := freePort(t)
	cfg := writeFile(t, dir, "tcp.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  5

[INPUT]
    Name                tcp
    Listen              127.0.0.1
    Port                %d
    Tag                 app.tcp
    Source_Address_Key  source

[OUTPUT]
    Name    file
    Match   app.*
    Path    %s
    File    out.log
    Format  plain
`, port, dir))
	p := start(t, nil, "-c", cfg)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	a := netDialRetry(t, "tcp", addr)
	b := netDialRetry(t, "tcp", addr)
	bad := netDialRetry(t, "tcp", addr)
	lines := strings.Split(strings.TrimSpace(numberedLines(n)), "\n")
	var first, second strings.Builder
	for i, l := range lines {
		if i%2 == 0 {
			first.WriteString(l + "\n")
		} else {
			second.WriteString(l) // back to back, no newline
		}
	}
	if _, err := io.WriteString(a, first.String()); err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(bad, "GET / HTTP/1.1\r\n\r\n")
	s := second.String()
	for len(s) > 0 {
		k := min(37, len(s))
		if _, err := io.WriteString(b, s[:k]); err != nil {
			t.Fatal(err)
		}
		s = s[k:]
	}
	a.Close()
	b.Close()
	bad.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(bad); err != nil {
		t.Errorf("the bad client was not disconnected: %v", err)
	}
	out := filepath.Join(dir, "out.log")
	eventually(t, 20*time.Second, "records in the file", func() bool { return len(jsonLines(t, out)) >= n })
	p.stop(syscall.SIGTERM, 10*time.Second)
	recs := jsonLines(t, out)
	checkSequence(t, recs, "seq", n)
	if src, _ := recs[0]["source"].(string); !strings.HasPrefix(src, "127.0.0.1:") {
		t.Errorf("source %q", src)
	}
	if !strings.Contains(p.stderr.String(), "closing connection") || !strings.Contains(p.stderr.String(), "expected a JSON object") {
		t.Errorf("no warning about the bad client:\n%s", p.stderr.String())
	}
}
