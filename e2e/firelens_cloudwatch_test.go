package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"
)

// TestFireLensSeedStoryEndToEnd is the seed story whole: the configuration
// ECS generates for a FireLens log router (forward input on the Unix
// socket, record_modifier filters with the task's metadata, @INCLUDE of the
// user's file), the user's extra.conf as shipped in examples/firelens with
// only an endpoint added to reach the CloudWatch Logs emulator, and the
// awsfirelens log driver's records sent over the socket. Every record
// arrives in /ecs/logs/sample-test, stream webapp, in order, with the
// fields the driver and ECS add.
func TestFireLensSeedStoryEndToEnd(t *testing.T) {
	emu := cwlStartEmulator(t)
	extra, err := os.ReadFile(filepath.Join(fwdRepoRoot(t), "examples", "firelens", "extra.conf"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fl := fwdFireLensConfig(t, dir, "fluent-bit.conf", string(extra)+"    endpoint "+emu.URL+"\n")
	p := start(t, nil, "-c", fl.Config)
	fwdWaitListening(t, p, "unix", fl.Socket)

	const taskID = "8f4a2c9b6d1e4f0a9b3c5d7e1f2a4b6c"
	driver, err := fluent.New(fluent.Config{FluentNetwork: "unix", FluentSocketPath: fl.Socket, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	for i := 0; i < n; i++ {
		if err := driver.Post("webapp-firelens-"+taskID, map[string]any{
			"container_id":   "3f1c0d9e8b7a",
			"container_name": "/ecs-unnamed-dev-webapp-1-webapp-b2c4e6f8a0c2e4f6a801",
			"source":         "stdout",
			"log":            fmt.Sprintf(`10.0.1.7 - - [01/Dec/2026:05:00:00 +0000] "GET /?seq=%d HTTP/1.1" 200 615`, i),
			"seq":            i,
		}); err != nil {
			t.Fatal(err)
		}
	}
	driver.Close()
	cwlWaitFor(t, p, emu, "/ecs/logs/sample-test", "webapp", n, 60*time.Second)
	cwlStop(t, p)
	recs := cwlRecords(t, emu, "/ecs/logs/sample-test", "webapp")
	checkSequence(t, recs, "seq", n)
	for i, r := range recs {
		if int(r["seq"].(float64)) != i {
			t.Fatalf("event %d holds seq %v: out of order", i, r["seq"])
		}
	}
	first := recs[0]
	for _, key := range []string{"container_id", "container_name", "source", "log", "ecs_cluster", "ecs_task_arn", "ecs_task_definition"} {
		if _, ok := first[key]; !ok {
			t.Errorf("record lacks %s (the driver's and ECS's fields): %v", key, first)
		}
	}
	if !strings.Contains(fmt.Sprint(first["ecs_task_arn"]), "arn:aws:ecs:") {
		t.Errorf("ecs_task_arn %v", first["ecs_task_arn"])
	}
	cwlNoRejections(t, emu)
}
