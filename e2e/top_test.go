package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTopUnderTmux runs `sluice top` in a real terminal (tmux), reads the
// screen with capture-pane until it shows the running pipeline's
// components with live rates, then quits it with the q key.
func TestTopUnderTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed (make deps installs it)")
		}
		t.Skip("tmux is not installed; run make deps")
	}
	dir := t.TempDir()
	port := freePort(t)
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush        0.2
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    %d

[INPUT]
    Name           dummy
    Rate           200
    Mem_Buf_Limit  4M

[OUTPUT]
    Name   null
    Match  *
`, port))
	p := start(t, nil, "-c", cfg)
	defer p.stop(syscall.SIGTERM, 10*time.Second)

	socket := "sluice-top-" + fmt.Sprint(os.Getpid())
	tm := func(args ...string) (string, error) {
		out, err := exec.Command(tmux, append([]string{"-L", socket}, args...)...).CombinedOutput()
		return string(out), err
	}
	defer tm("kill-server")
	command := fmt.Sprintf("%s top --url http://127.0.0.1:%d --interval 200ms", sluiceBin, port)
	if out, err := tm("new-session", "-d", "-s", "top", "-x", "150", "-y", "30", command); err != nil {
		t.Fatalf("tmux new-session: %v %s", err, out)
	}
	live := regexp.MustCompile(`input dummy\.0\s+(\d+\.\d)`)
	var screen string
	eventually(t, 15*time.Second, "top showing live rates", func() bool {
		screen, _ = tm("capture-pane", "-p", "-t", "top")
		m := live.FindStringSubmatch(screen)
		return m != nil && m[1] != "0.0" && strings.Contains(screen, "output null.0")
	})
	for _, want := range []string{"sluice top", "COMPONENT", "RECORDS/S", "BUFFER"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if _, err := tm("send-keys", "-t", "top", "q"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "top to quit on q", func() bool {
		_, err := tm("has-session", "-t", "top")
		return err != nil
	})
}
