package syslog

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func TestFramer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pieces []string
		want   []string
		err    string
	}{
		{name: "newline", pieces: []string{"<13>a\r\n<13>b\n<13>", "c"}, want: []string{"<13>a", "<13>b", "<13>c"}},
		{name: "octet counting across reads", pieces: []string{"5 <1>ab6 <1>", "a\nc"}, want: []string{"<1>ab", "<1>a\nc"}},
		{name: "mixed", pieces: []string{"<13>x\n3 abc\n<13>y\n"}, want: []string{"<13>x", "abc", "<13>y"}},
		{name: "count too large", pieces: []string{"99999 x"}, err: "longer than Buffer_Max_Size"},
		{name: "count not a number", pieces: []string{"12a4 x"}, err: "not a number"},
		{name: "line too long", pieces: []string{"<13>" + strings.Repeat("x", 100)}, err: "without a newline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := framer{max: 64}
			var got []string
			add := func(m []byte) { got = append(got, string(m)) }
			var err error
			for _, p := range tc.pieces {
				if err = f.feed([]byte(p), add); err != nil {
					break
				}
			}
			if err == nil {
				f.end(add)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %q %v, want %q", got, err, tc.want)
			}
		})
	}
}

func run(t *testing.T, kv ...string) (*Input, *plugintest.Collector) {
	t.Helper()
	in, err := New(plugintest.Settings(t, Spec(), kv...))
	if err != nil {
		t.Fatal(err)
	}
	in.tag = "syslog"
	ctx, cancel := context.WithCancel(context.Background())
	col := &plugintest.Collector{}
	done := make(chan error)
	go func() { done <- in.Run(ctx, col) }()
	select {
	case <-in.bound:
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return in, col
}

const (
	rfc5424 = `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] An application event`
	rfc3164 = `<13>Oct 11 22:14:15 sshd[42]: Accepted publickey for ec2-user`
)

func TestTCPFramingAndBadClient(t *testing.T) {
	in, col := run(t, "Mode", "tcp", "Listen", "127.0.0.1", "Port", "0", "Source_Address_Key", "src", "Buffer_Max_Size", "1k")
	c, err := net.Dial("tcp", in.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "%d %s", len(rfc5424), rfc5424)
	fmt.Fprintf(c, "%s\nnot syslog at all\n", rfc5424)
	bad, _ := net.Dial("tcp", in.addr.String())
	fmt.Fprint(bad, "999999 x")
	bad.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(bad); err != nil {
		t.Errorf("bad client not closed: %v", err)
	}
	c.Close()
	got := col.WaitFor(t, 3)
	if !strings.Contains(got[0], `"host":"mymachine.example.com"`) || !strings.Contains(got[0], `"message":"An application event"`) ||
		!strings.Contains(got[0], `"pri":"165"`) || !strings.Contains(got[0], `"src":"127.0.0.1:`) {
		t.Errorf("record %s", got[0])
	}
	if got[0] != got[1] && !strings.Contains(got[1], "mymachine") {
		t.Errorf("second record %s", got[1])
	}
	if !strings.HasPrefix(got[2], `{"message":"not syslog at all"`) {
		t.Errorf("unmatched record %s", got[2])
	}
}

func TestUDPAndUnixDatagram(t *testing.T) {
	in, col := run(t, "Mode", "udp", "Listen", "127.0.0.1", "Port", "0", "Parser", "syslog-rfc3164-local")
	c, err := net.Dial("udp", in.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte(rfc3164 + "\n" + rfc3164))
	c.Close()
	got := col.WaitFor(t, 2)
	if !strings.Contains(got[0], `"ident":"sshd"`) || !strings.Contains(got[0], `"pid":"42"`) {
		t.Errorf("udp record %s", got[0])
	}
	path := filepath.Join(t.TempDir(), "syslog.sock")
	_, col2 := run(t, "Path", path, "Unix_Perm", "0600")
	u, err := net.Dial("unixgram", path)
	if err != nil {
		t.Fatal(err)
	}
	u.Write([]byte(rfc3164))
	u.Close()
	if got := col2.WaitFor(t, 1); !strings.Contains(got[0], `"message":"Accepted publickey for ec2-user"`) {
		t.Errorf("unix_udp record %s", got[0])
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{"Mode", "unix_tcp"}, "needs the Path"},
		{[]string{"Mode", "tcp", "Parser", "nope"}, `no parser named "nope"`},
		{[]string{"Mode", "udp", "tls", "on", "tls.crt_file", "x", "tls.key_file", "y"}, "tls"},
		{[]string{"Unix_Perm", "999"}, "octal"},
	} {
		s, err := plugintest.TrySettings(Spec(), tc.kv...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.kv, err, tc.want)
		}
	}
}
