package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"
)

// fwdFireLens is a FireLens configuration from examples/firelens made
// runnable in a test: its fixed paths and ports moved to dir.
type fwdFireLens struct {
	Config     string // the generated config, rewritten
	Socket     string // instead of /var/run/fluent.sock
	Port       int    // instead of 24224
	HealthPort int    // instead of 8877
}

// fwdFireLensConfig rewrites examples/firelens/<generated> into dir: the
// Unix socket, the two TCP ports and the @INCLUDE of
// /fluent-bit/etc/extra.conf, which is replaced by extra (the user's file
// as the test wants it). The rest of the file runs as ECS wrote it.
func fwdFireLensConfig(t *testing.T, dir, generated, extra string) fwdFireLens {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(fwdRepoRoot(t), "examples", "firelens", generated))
	if err != nil {
		t.Fatal(err)
	}
	f := fwdFireLens{Socket: filepath.Join(dir, "fluent.sock"), Port: freePort(t), HealthPort: freePort(t)}
	extraPath := writeFile(t, dir, "extra.conf", extra)
	conf := string(src)
	for _, r := range []struct{ old, new string }{
		{"unix_path /var/run/fluent.sock", "unix_path " + f.Socket},
		{"Port 24224", fmt.Sprintf("Port %d", f.Port)},
		{"Port 8877", fmt.Sprintf("Port %d", f.HealthPort)},
		{"@INCLUDE /fluent-bit/etc/extra.conf", "@INCLUDE " + extraPath},
	} {
		if !strings.Contains(conf, r.old) {
			t.Fatalf("%s lacks %q", generated, r.old)
		}
		conf = strings.ReplaceAll(conf, r.old, r.new)
	}
	f.Config = writeFile(t, dir, generated, conf)
	return f
}

// fwdSeedExtraWithFileOutput is the seed story's extra.conf with its
// cloudwatch_logs [OUTPUT] swapped for a file output into out: the
// [SERVICE] section stays as the user wrote it.
func fwdSeedExtraWithFileOutput(t *testing.T, out string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(fwdRepoRoot(t), "examples", "firelens", "extra.conf"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), "[OUTPUT]")
	if i < 0 || !strings.Contains(string(src[i:]), "cloudwatch_logs") {
		t.Fatal("examples/firelens/extra.conf has no cloudwatch_logs [OUTPUT]")
	}
	return string(src[:i]) + fmt.Sprintf(`[OUTPUT]
    Name    file
    Match   *
    Path    %s
    Format  plain
    Mkdir   On
`, out)
}

// TestForwardFireLensGeneratedConfig runs the configurations ECS generates
// for FireLens, with the seed story's extra.conf, and feeds them as a task
// would: the awsfirelens log driver on the Unix socket, an application's
// fluent-logger on TCP, and the health check on its tcp input.
func TestForwardFireLensGeneratedConfig(t *testing.T) {
	for _, tc := range []struct {
		file string
		ec2  bool
	}{{"fluent-bit.conf", false}, {"fluent-bit-ec2.conf", true}} {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			fl := fwdFireLensConfig(t, dir, tc.file, fwdSeedExtraWithFileOutput(t, out))
			p := start(t, nil, "-c", fl.Config)
			fwdWaitListening(t, p, "unix", fl.Socket)
			fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", fl.Port))
			fwdWaitListening(t, p, "tcp", fmt.Sprintf("127.0.0.1:%d", fl.HealthPort))

			// The awsfirelens driver is Docker's fluentd driver, built on
			// fluent-logger-golang: one record per line, tagged
			// <container name>-firelens-<task id>.
			const taskID = "8f4a2c9b6d1e4f0a9b3c5d7e1f2a4b6c"
			const containerID = "3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e"
			driver, err := fluent.New(fluent.Config{FluentNetwork: "unix", FluentSocketPath: fl.Socket, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			const n = 1000
			for i := 0; i < n; i++ {
				source := "stdout"
				if i%10 == 9 {
					source = "stderr"
				}
				if err := driver.Post("webapp-firelens-"+taskID, map[string]string{
					"container_id":   containerID,
					"container_name": "/ecs-unnamed-dev-webapp-taskdefinition-1-webapp-b2c4e6f8a0c2e4f6a801",
					"source":         source,
					"log":            fmt.Sprintf(`10.0.1.%d - - [01/Dec/2026:05:00:00 +0000] "GET /?seq=%d HTTP/1.1" 200 615 "-" "ELB-HealthChecker/2.0"`, i%250, i),
				}); err != nil {
					t.Fatal(err)
				}
			}
			driver.Close()
			app, err := fluent.New(fluent.Config{FluentHost: "127.0.0.1", FluentPort: fl.Port, RequestAck: true, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 100; i++ {
				app.Post("app.direct", map[string]any{"seq": i, "msg": "from the application's own logger"})
			}
			app.Close()
			hc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", fl.HealthPort))
			if err != nil {
				t.Fatal(err)
			}
			hc.Write([]byte(`{"health": "check"}` + "\n"))
			hc.Close()

			driverFile := filepath.Join(out, "webapp-firelens-"+taskID)
			var recs []map[string]any
			eventually(t, 15*time.Second, "the driver's records", func() bool {
				recs = jsonLines(t, driverFile)
				return len(recs) >= n
			})
			fwdWaitRecords(t, filepath.Join(out, "app.direct"), 100)
			eventually(t, 10*time.Second, "the health check record", func() bool {
				return len(jsonLines(t, filepath.Join(out, "firelens-healthcheck"))) == 1
			})
			if code := p.stop(syscall.SIGTERM, 35*time.Second); code != 0 {
				t.Fatalf("exit code %d", code)
			}

			recs = jsonLines(t, driverFile)
			if len(recs) != n {
				t.Fatalf("%d driver records, want %d", len(recs), n)
			}
			seen := map[string]bool{}
			for _, r := range recs {
				log, _ := r["log"].(string)
				seen[log] = true
				want := map[string]string{
					"container_id": containerID, "ecs_cluster": "unnamed-dev-cluster",
					"ecs_task_arn":        "arn:aws:ecs:ap-northeast-1:123456789012:task/unnamed-dev-cluster/" + taskID,
					"ecs_task_definition": "unnamed-dev-webapp-taskdefinition:1",
				}
				if tc.ec2 {
					want["ec2_instance_id"] = "i-0a1b2c3d4e5f67890"
				} else if _, ok := r["ec2_instance_id"]; ok {
					t.Fatalf("Fargate record with ec2_instance_id: %v", r)
				}
				for k, v := range want {
					if r[k] != v {
						t.Fatalf("record %v: %s = %v, want %v", r, k, r[k], v)
					}
				}
				if r["source"] != "stdout" && r["source"] != "stderr" || !strings.HasPrefix(r["container_name"].(string), "/ecs-") {
					t.Fatalf("driver fields lost: %v", r)
				}
			}
			for i := 0; i < n; i++ {
				if !seen[fmt.Sprintf(`10.0.1.%d - - [01/Dec/2026:05:00:00 +0000] "GET /?seq=%d HTTP/1.1" 200 615 "-" "ELB-HealthChecker/2.0"`, i%250, i)] {
					t.Fatalf("line %d lost", i)
				}
			}
			checkSequence(t, jsonLines(t, filepath.Join(out, "app.direct")), "seq", 100)
			if hc := jsonLines(t, filepath.Join(out, "firelens-healthcheck")); hc[0]["health"] != "check" || hc[0]["ecs_cluster"] != "unnamed-dev-cluster" {
				t.Errorf("health check record: %v", hc[0])
			}
		})
	}
}
