package udp

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func TestDatagrams(t *testing.T) {
	for _, tc := range []struct {
		kv        []string
		datagrams []string
		want      string
	}{
		{[]string{"Format", "json"}, []string{`{"a":1}{"a":2}`, `{"a":`, `[{"a":3}]`, `{"a":4} junk`},
			`[{"a":1} {"a":2} {"a":3} {"a":4}]`},
		{[]string{"Format", "none", "Separator", `\t`}, []string{"x\ty", "z"}, `[{"log":"x"} {"log":"y"} {"log":"z"}]`},
	} {
		in, err := New(plugintest.Settings(t, Spec(), append([]string{"Listen", "127.0.0.1", "Port", "0"}, tc.kv...)...))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		col := &plugintest.Collector{}
		done := make(chan error)
		go func() { done <- in.Run(ctx, col) }()
		<-in.bound
		c, err := net.Dial("udp", in.addr.String())
		if err != nil {
			t.Fatal(err)
		}
		// Datagrams on the loopback are not lost, but send one at a time
		// and wait for each, so a slow reader cannot overflow the socket.
		expected := 0
		for _, d := range tc.datagrams {
			c.Write([]byte(d))
			switch d {
			case `{"a":1}{"a":2}`, "x\ty":
				expected += 2
			case `{"a":`:
			default:
				expected++
			}
			col.WaitFor(t, expected)
		}
		if got := fmt.Sprint(col.Records()); got != tc.want {
			t.Errorf("%v: got %s, want %s", tc.kv, got, tc.want)
		}
		c.Close()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseKB(t *testing.T) {
	if n, err := parseKB("32"); err != nil || n != 32<<10 {
		t.Error(n, err)
	}
	if _, err := parseKB("100"); err == nil {
		t.Error("100 KB datagrams accepted")
	}
}
