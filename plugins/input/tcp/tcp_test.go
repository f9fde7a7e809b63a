package tcp

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func TestParseKB(t *testing.T) {
	for raw, want := range map[string]int64{"32": 32 << 10, "1": 1024, "64k": 64 << 10, "1M": 1 << 20} {
		if got, err := parseKB(raw); err != nil || got != want {
			t.Errorf("%s: %d %v, want %d", raw, got, err, want)
		}
	}
	for _, raw := range []string{"0", "-1", "x"} {
		if _, err := parseKB(raw); err == nil {
			t.Errorf("%s accepted", raw)
		}
	}
}

// A bad client is closed with a warning; a good client on another
// connection is not affected.
func TestBadClientDoesNotAffectOthers(t *testing.T) {
	in, err := New(plugintest.Settings(t, Spec(), "Listen", "127.0.0.1", "Port", "0", "Tag", "t"))
	if err != nil {
		t.Fatal(err)
	}
	in.tag = "t"
	ctx, cancel := context.WithCancel(context.Background())
	var col plugintest.Collector
	done := make(chan error)
	go func() { done <- in.Run(ctx, &col) }()
	<-in.bound
	good, err := net.Dial("tcp", in.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	bad, err := net.Dial("tcp", in.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(good, `{"n":1}`)
	fmt.Fprint(bad, `{"bad":1} not json`)
	// The server closes the bad connection: reading ends.
	bad.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(bad); err != nil {
		t.Errorf("bad connection not closed: %v", err)
	}
	fmt.Fprint(good, `{"n":2}`)
	got := col.WaitFor(t, 3)
	want := map[string]bool{`{"n":1}`: true, `{"n":2}`: true, `{"bad":1}`: true}
	for _, r := range got {
		if !want[r] {
			t.Errorf("unexpected record %s", r)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
