package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
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

// TestHTTPInput POSTs numbered records, in JSON arrays, some gzipped, to
// the tag-bearing path, interleaved with bad requests: every numbered
// record reaches the file output once, routed by the path's tag, and
// each bad request gets its error status.
func TestHTTPInput(t *testing.T) {
	const n, per = 1000, 50
	dir := t.TempDir()
	port := freePort(t)
	cfg := writeFile(t, dir, "http.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  5

[INPUT]
    Name    http
    Listen  127.0.0.1
    Port    %d

[OUTPUT]
    Name    file
    Match   app.*
    Path    %s
    File    out.log
    Format  plain
`, port, dir))
	p := start(t, nil, "-c", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d/app.orders", port)
	eventually(t, 10*time.Second, "http input listening", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	lines := strings.Split(strings.TrimSpace(numberedLines(n)), "\n")
	for i := 0; i < n; i += per {
		body := "[" + strings.Join(lines[i:i+per], ",") + "]"
		status := netPost(t, url, body, i%100 == 0)
		if status != 201 {
			t.Fatalf("POST of records %d..%d: status %d", i, i+per-1, status)
		}
		if i%200 == 0 {
			if status := netPost(t, url, `{"seq": broken`, false); status != 400 {
				t.Errorf("bad JSON: status %d, want 400", status)
			}
		}
	}
	out := filepath.Join(dir, "out.log")
	eventually(t, 20*time.Second, "records in the file", func() bool { return len(jsonLines(t, out)) >= n })
	p.stop(syscall.SIGTERM, 10*time.Second)
	checkSequence(t, jsonLines(t, out), "seq", n)
	if !strings.Contains(p.stderr.String(), "refusing request") {
		t.Errorf("bad requests not logged:\n%s", p.stderr.String())
	}
}

// netPost POSTs a JSON body, gzipped when asked, and returns the status.
func netPost(t *testing.T, url, body string, gz bool) int {
	t.Helper()
	var rd io.Reader = strings.NewReader(body)
	if gz {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		io.WriteString(w, body)
		w.Close()
		rd = &b
	}
	req, _ := http.NewRequest("POST", url, rd)
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestSyslogInput sends numbered RFC 5424 messages over TCP, half
// octet-counted and half newline-framed, and RFC 3164 messages over UDP:
// every message reaches the file output parsed, once.
func TestSyslogInput(t *testing.T) {
	const n = 600
	dir := t.TempDir()
	tcpPort, udpPort := freePort(t), freePort(t)
	cfg := writeFile(t, dir, "syslog.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  5

[INPUT]
    Name    syslog
    Mode    tcp
    Listen  127.0.0.1
    Port    %d
    Tag     syslog.tcp

[INPUT]
    Name    syslog
    Mode    udp
    Listen  127.0.0.1
    Port    %d
    Parser  syslog-rfc3164
    Tag     syslog.udp

[OUTPUT]
    Name    file
    Match   syslog.*
    Path    %s
    Format  plain
`, tcpPort, udpPort, dir))
	p := start(t, nil, "-c", cfg)
	c := netDialRetry(t, "tcp", fmt.Sprintf("127.0.0.1:%d", tcpPort))
	for i := 0; i < n; i++ {
		msg := fmt.Sprintf(`<165>1 2024-05-01T10:00:00.000Z web-%d app 42 ID%d - seq=%d`, i%3, i, i)
		if i%2 == 0 {
			fmt.Fprintf(c, "%d %s", len(msg), msg)
		} else {
			fmt.Fprintf(c, "%s\n", msg)
		}
	}
	c.Close()
	u, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", udpPort))
	if err != nil {
		t.Fatal(err)
	}
	udpSent := 0
	// UDP can drop on a loaded machine: send until the input has some.
	eventually(t, 10*time.Second, "udp messages", func() bool {
		fmt.Fprintf(u, "<34>Oct 11 22:14:15 mymachine su[%d]: 'su root' failed\n", udpSent)
		udpSent++
		return len(jsonLines(t, filepath.Join(dir, "syslog.udp"))) >= 3
	})
	u.Close()
	tcpOut := filepath.Join(dir, "syslog.tcp")
	eventually(t, 20*time.Second, "tcp messages", func() bool { return len(jsonLines(t, tcpOut)) >= n })
	p.stop(syscall.SIGTERM, 10*time.Second)
	var recs []map[string]any
	for _, r := range jsonLines(t, tcpOut) {
		var seq int
		if _, err := fmt.Sscanf(r["message"].(string), "seq=%d", &seq); err != nil || r["ident"] != "app" || r["pri"] != "165" {
			t.Fatalf("record %v", r)
		}
		r["seq"] = float64(seq)
		recs = append(recs, r)
	}
	checkSequence(t, recs, "seq", n)
	for _, r := range jsonLines(t, filepath.Join(dir, "syslog.udp")) {
		if r["host"] != "mymachine" || r["ident"] != "su" || r["message"] != "'su root' failed" {
			t.Fatalf("udp record %v", r)
		}
	}
}

// TestUDPInput sends numbered JSON records, ten per datagram, paced so
// the loopback never overflows the socket buffer, plus a bad datagram:
// every record reaches the file output once and the bad one is reported.
func TestUDPInput(t *testing.T) {
	const n, per = 500, 10
	dir := t.TempDir()
	port := freePort(t)
	cfg := writeFile(t, dir, "udp.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  5

[INPUT]
    Name    udp
    Listen  127.0.0.1
    Port    %d
    Tag     app.udp

[OUTPUT]
    Name    file
    Match   app.*
    Path    %s
    File    out.log
    Format  plain
`, port, dir))
	p := start(t, nil, "-c", cfg)
	out := filepath.Join(dir, "out.log")
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	// The first datagram may come before the socket is bound: resend a
	// probe until one arrives.
	eventually(t, 10*time.Second, "udp input listening", func() bool {
		fmt.Fprint(c, `{"probe":true}`)
		return strings.Contains(p.stderr.String(), "listening")
	})
	fmt.Fprint(c, "this is not json")
	lines := strings.Split(strings.TrimSpace(numberedLines(n)), "\n")
	for i := 0; i < n; i += per {
		fmt.Fprint(c, strings.Join(lines[i:i+per], "\n"))
		if (i/per)%10 == 9 {
			want := i + per
			eventually(t, 10*time.Second, "datagrams delivered", func() bool {
				cnt := 0
				for _, r := range jsonLines(t, out) {
					if _, ok := r["seq"]; ok {
						cnt++
					}
				}
				return cnt >= want
			})
		}
	}
	c.Close()
	p.stop(syscall.SIGTERM, 10*time.Second)
	var recs []map[string]any
	for _, r := range jsonLines(t, out) {
		if _, ok := r["seq"]; ok {
			recs = append(recs, r)
		}
	}
	checkSequence(t, recs, "seq", n)
	if !strings.Contains(p.stderr.String(), "invalid datagram") {
		t.Errorf("bad datagram not reported:\n%s", p.stderr.String())
	}
}

// TestExecInput runs a one-shot command printing numbered JSON lines,
// parsed with the shipped json parser: every line reaches the file output
// once; a failing command is reported with its exit status and stderr.
func TestExecInput(t *testing.T) {
	const n = 1000
	dir := t.TempDir()
	cfg := writeFile(t, dir, "exec.conf", fmt.Sprintf(`
[SERVICE]
    Flush         0.2
    Grace         5
    Parsers_File  parsers.conf

[INPUT]
    Name     exec
    Tag      app.exec
    Command  i=0; while [ $i -lt %d ]; do echo "{\"seq\":$i}"; i=$((i+1)); done
    Parser   json
    Oneshot  On

[INPUT]
    Name          exec
    Tag           broken
    Command       echo "disk probe failed" >&2; exit 4
    Interval_Sec  1

[OUTPUT]
    Name    file
    Match   app.*
    Path    %s
    File    out.log
    Format  plain
`, n, dir))
	p := start(t, nil, "-c", cfg)
	out := filepath.Join(dir, "out.log")
	eventually(t, 20*time.Second, "command output", func() bool { return len(jsonLines(t, out)) >= n })
	eventually(t, 10*time.Second, "the failure reported", func() bool {
		return strings.Contains(p.stderr.String(), "exit status 4") && strings.Contains(p.stderr.String(), "disk probe failed")
	})
	p.stop(syscall.SIGTERM, 10*time.Second)
	checkSequence(t, jsonLines(t, out), "seq", n)
}
