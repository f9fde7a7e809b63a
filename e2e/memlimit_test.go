package e2e

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMemLimitSetsTheGoMemoryLimit: [SERVICE] Mem_Limit becomes the Go
// runtime's soft limit, and GOMEMLIMIT in the environment wins over it.
func TestMemLimitSetsTheGoMemoryLimit(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "sluice.conf", `
[SERVICE]
    Mem_Limit  96M

[INPUT]
    Name  dummy

[OUTPUT]
    Name   null
    Match  *
`)
	for _, tc := range []struct{ env, want string }{
		{"", "memory limit set"},
		{"GOMEMLIMIT=200MiB", "Mem_Limit ignored: the GOMEMLIMIT environment variable sets the limit"},
	} {
		cmd := exec.Command(sluiceBin, "-c", cfg)
		cmd.Env = os.Environ()
		if tc.env != "" {
			cmd.Env = append(cmd.Env, tc.env)
		}
		var stderr syncBuffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, tc.want, func() bool { return strings.Contains(stderr.String(), tc.want) })
		if tc.env == "" && !strings.Contains(stderr.String(), "bytes=100663296") {
			t.Errorf("limit not 96 MiB: %s", stderr.String())
		}
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
}
