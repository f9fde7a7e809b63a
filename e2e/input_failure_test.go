package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestAnInputThatCannotBindStopsSluice: like Fluent Bit, Sluice does not
// run on without an input that failed to start (here the forward port is
// taken): it exits 1 and names the section and the cause.
func TestAnInputThatCannotBindStopsSluice(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	cfg := writeFile(t, t.TempDir(), "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Grace  2

[INPUT]
    Name    forward
    Listen  127.0.0.1
    Port    %d

[OUTPUT]
    Name   null
    Match  *
`, port))
	p := start(t, nil, "-c", cfg)
	if code := p.wait(20 * time.Second); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	stderr := p.stderr.String()
	for _, want := range []string{"input failed; stopping Sluice", "forward (forward.0)", "address already in use"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
