package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestImageLayout assembles the container image's file tree with the same
// script the Dockerfile runs (no Docker engine is needed), then checks the
// paths FireLens and aws-for-fluent-bit users rely on, runs the binary from
// the tree on the default configuration, and runs the HEALTHCHECK command
// against it.
func TestImageLayout(t *testing.T) {
	root := t.TempDir()
	assemble := exec.Command("../deploy/image/assemble.sh", root, sluiceBin)
	if out, err := assemble.CombinedOutput(); err != nil {
		t.Fatalf("assemble.sh: %v\n%s", err, out)
	}
	for _, path := range []string{
		"fluent-bit/bin/sluice", "fluent-bit/bin/fluent-bit", "fluent-bit/etc/fluent-bit.conf",
		"fluent-bit/etc/parsers.conf", "fluent-bit/parsers/parsers.conf",
	} {
		if _, err := os.Stat(filepath.Join(root, path)); err != nil {
			t.Errorf("image lacks /%s: %v", path, err)
		}
	}
	dockerfile, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// Every absolute path the Dockerfile's CMD and HEALTHCHECK name exists in the tree.
	cmdLines := 0
	for _, line := range strings.Split(string(dockerfile), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "CMD") {
			continue
		}
		cmdLines++
		for _, m := range regexp.MustCompile(`"(/fluent-bit/[^"]+)"`).FindAllStringSubmatch(line, -1) {
			if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
				t.Errorf("the Dockerfile runs %s, which the image lacks", m[1])
			}
		}
	}
	if cmdLines != 2 {
		t.Errorf("found %d CMD lines (the CMD and the HEALTHCHECK's), want 2", cmdLines)
	}
	if !strings.Contains(string(dockerfile), "deploy/image/assemble.sh /rootfs") {
		t.Error("the Dockerfile no longer builds its tree with deploy/image/assemble.sh")
	}

	// The default command, as the image runs it (through the fluent-bit
	// name, with an aws-for-fluent-bit style -e flag), with the monitoring
	// server moved to a free port.
	conf := filepath.Join(root, "fluent-bit/etc/fluent-bit.conf")
	data, _ := os.ReadFile(conf)
	port := freePort(t)
	data = []byte(strings.Replace(string(data), "HTTP_Port     2020", "HTTP_Port     "+itoa(port), 1))
	data = []byte(strings.ReplaceAll(string(data), "/fluent-bit/etc/", filepath.Join(root, "fluent-bit/etc")+"/"))
	os.WriteFile(conf, data, 0o644)
	cmd := exec.Command(filepath.Join(root, "fluent-bit/bin/fluent-bit"), "-e", "/fluent-bit/firehose.so", "-c", conf)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	url := "http://127.0.0.1:" + itoa(port) + "/api/v1/health"
	health := filepath.Join(root, "fluent-bit/bin/sluice")
	eventually(t, 10*time.Second, "a healthy answer to the HEALTHCHECK command", func() bool {
		return exec.Command(health, "health", url).Run() == nil
	})
	if !strings.Contains(stderr.String(), "notice: -e /fluent-bit/firehose.so not loaded") {
		t.Errorf("no notice for -e; stderr:\n%s", stderr.String())
	}
	// And the HEALTHCHECK fails when nothing answers.
	if err := exec.Command(health, "health", "http://127.0.0.1:1/api/v1/health").Run(); err == nil {
		t.Error("sluice health succeeded with nothing listening")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
