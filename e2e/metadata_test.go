package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// metaServe starts a loopback HTTP server answering paths (with their query)
// from files of the ecs filter's testdata, or from inline bodies.
func metaServe(t *testing.T, routes map[string]string, guard func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if guard != nil && !guard(w, r) {
			return
		}
		body, ok := routes[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(body, ".json") {
			data, err := os.ReadFile(filepath.Join("..", "plugins", "filter", "ecs", "testdata", body))
			if err != nil {
				t.Error(err)
			}
			body = string(data)
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// metaPipeline writes a config: stdin with tag, the filter section, a file
// output; it returns the config and output paths.
func metaPipeline(t *testing.T, tag, filter, extra string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush      0.1
    Grace      5
    Log_Level  info

[INPUT]
    Name  stdin
    Tag   %s
%s
%s

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    out.log
    Format  plain
`, tag, extra, filter, dir))
	return cfg, filepath.Join(dir, "out.log")
}

// metaRun feeds n numbered records, waits for want records in the output,
// stops sluice and returns what arrived.
func metaRun(t *testing.T, cfg, out string, n, want int) []map[string]any {
	t.Helper()
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	eventually(t, 15*time.Second, "the records", func() bool { return len(jsonLines(t, out)) >= want })
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	return jsonLines(t, out)
}

// TestECSFilterTaskMetadataV4 runs the ecs filter the way FireLens on
// Fargate does: ECS_CONTAINER_METADATA_URI_V4 points at the task metadata
// endpoint, and the tag is <container>-firelens-<task ID>.
func TestECSFilterTaskMetadataV4(t *testing.T) {
	const n = 300
	srv := metaServe(t, map[string]string{"/v4/abc/task": "v4_task.json"}, nil)
	t.Setenv("ECS_CONTAINER_METADATA_URI_V4", srv.URL+"/v4/abc")
	cfg, out := metaPipeline(t, "app-firelens-0b69d5c0d8d44eb39e8f0f7c1e2d3a4b", `
[FILTER]
    Name   ecs
    Match  *
    Add    ecs_cluster $ClusterName
    Add    ecs_task_id $TaskID
    Add    container $ECSContainerName
    Add    resource $ClusterName.$TaskDefinitionFamily:$TaskDefinitionVersion`, "")
	records := metaRun(t, cfg, out, n, n)
	checkSequence(t, records, "seq", n)
	for _, r := range records {
		if r["ecs_cluster"] != "prod-fargate" || r["ecs_task_id"] != "0b69d5c0d8d44eb39e8f0f7c1e2d3a4b" ||
			r["container"] != "app" || r["resource"] != "prod-fargate.checkout:18" {
			t.Fatalf("record: %v", r)
		}
	}
}

// TestECSFilterAgentIntrospection runs the ecs filter against a loopback
// ECS agent introspection API (EC2 launch type): records of a task's
// container get its task metadata; records of a non-task container get the
// cluster only.
func TestECSFilterAgentIntrospection(t *testing.T) {
	const n = 200
	t.Setenv("ECS_CONTAINER_METADATA_URI_V4", "")
	srv := metaServe(t, map[string]string{
		"/v1/metadata":                    "agent_metadata.json",
		"/v1/tasks?dockerid=79c796ed2a7f": "agent_task.json",
	}, nil)
	host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	cfg, out := metaPipeline(t, "ecs.79c796ed2a7f864f485c76f83f3165488097279d296a7c05bd5201a1c69b2920", fmt.Sprintf(`
[FILTER]
    Name            ecs
    Match           *
    ECS_Meta_Host   %s
    ECS_Meta_Port   %s
    ECS_Tag_Prefix  ecs.
    Add             cluster $ClusterName
    Add             family $TaskDefinitionFamily
    Add             instance $ContainerInstanceID`, host, port), `
[INPUT]
    Name     dummy
    Tag      ecs.dockerd-daemon-logs
    Dummy    {"daemon":"dockerd"}
    Samples  3
    Rate     50`)
	records := metaRun(t, cfg, out, n, n+3)
	var app, daemon []map[string]any
	for _, r := range records {
		if r["daemon"] != nil {
			daemon = append(daemon, r)
		} else {
			app = append(app, r)
		}
	}
	checkSequence(t, app, "seq", n)
	for _, r := range app {
		if r["cluster"] != "prod-ec2" || r["family"] != "checkout" || r["instance"] != "6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a" {
			t.Fatalf("app record: %v", r)
		}
	}
	if len(daemon) != 3 {
		t.Fatalf("%d daemon records, want 3", len(daemon))
	}
	for _, r := range daemon {
		if r["cluster"] != "prod-ec2" || r["family"] != "" {
			t.Fatalf("daemon record (cluster only): %v", r)
		}
	}
}

// imdsRoutes is an EC2 instance's metadata.
var imdsRoutes = map[string]string{
	"/latest/meta-data/placement/availability-zone": "eu-west-1b",
	"/latest/meta-data/instance-id":                 "i-0a1b2c3d4e5f67890",
	"/latest/meta-data/instance-type":               "m6i.large",
	"/latest/dynamic/instance-identity/document":    `{"accountId":"123456789012","region":"eu-west-1"}`,
	"/latest/meta-data/tags/instance":               "Name\nteam",
	"/latest/meta-data/tags/instance/Name":          "checkout-node",
	"/latest/meta-data/tags/instance/team":          "payments",
}

// imdsGuard makes the server behave as IMDS with HttpTokens=required, and
// answer 503 while down is set.
func imdsGuard(down *atomic.Bool) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if down.Load() {
			http.Error(w, "", http.StatusServiceUnavailable)
			return false
		}
		if r.URL.Path == "/latest/api/token" {
			if r.Method != http.MethodPut || r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds") == "" {
				http.Error(w, "", http.StatusBadRequest)
				return false
			}
			io.WriteString(w, "e2e-session-token")
			return false
		}
		if r.Header.Get("X-aws-ec2-metadata-token") != "e2e-session-token" {
			http.Error(w, "", http.StatusUnauthorized)
			return false
		}
		return true
	}
}

// TestAWSFilterIMDSv2 checks the aws filter against a loopback IMDS that
// requires session tokens: every record carries the instance's metadata
// and the tags asked for.
func TestAWSFilterIMDSv2(t *testing.T) {
	const n = 300
	var down atomic.Bool
	srv := metaServe(t, imdsRoutes, imdsGuard(&down))
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	cfg, out := metaPipeline(t, "app", `
[FILTER]
    Name               aws
    Match              *
    ec2_instance_type  true
    account_id         true
    tags_enabled       true
    tags_include       team`, "")
	records := metaRun(t, cfg, out, n, n)
	checkSequence(t, records, "seq", n)
	for _, r := range records {
		if r["az"] != "eu-west-1b" || r["ec2_instance_id"] != "i-0a1b2c3d4e5f67890" || r["ec2_instance_type"] != "m6i.large" ||
			r["account_id"] != "123456789012" || r["team"] != "payments" || r["Name"] != nil {
			t.Fatalf("record: %v", r)
		}
	}
}

// TestAWSFilterIMDSDownAtStart starts with IMDS answering 503: records
// pass without metadata, none is lost, and once IMDS answers the
// background retry adds the metadata to later records.
func TestAWSFilterIMDSDownAtStart(t *testing.T) {
	const n = 100
	var down atomic.Bool
	down.Store(true)
	srv := metaServe(t, imdsRoutes, imdsGuard(&down))
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	cfg, out := metaPipeline(t, "app", `
[FILTER]
    Name              aws
    Match             *
    retry_interval_s  1`, "")
	stdin, w := io.Pipe()
	p := start(t, stdin, "-c", cfg)
	t.Cleanup(func() { w.Close() }) // before start's cleanup, which waits for the copy into stdin
	lines := strings.Split(strings.TrimSpace(numberedLines(2*n)), "\n")
	io.WriteString(w, strings.Join(lines[:n], "\n")+"\n")
	eventually(t, 15*time.Second, "the records sent while IMDS is down", func() bool { return len(jsonLines(t, out)) >= n })
	down.Store(false)
	eventually(t, 15*time.Second, "records with metadata after IMDS is back", func() bool {
		io.WriteString(w, lines[n]+"\n") // the same record again; duplicates are counted below
		for _, r := range jsonLines(t, out) {
			if r["az"] == "eu-west-1b" {
				return true
			}
		}
		return false
	})
	io.WriteString(w, strings.Join(lines[n+1:], "\n")+"\n")
	eventually(t, 15*time.Second, "the remaining records", func() bool {
		for _, r := range jsonLines(t, out) {
			if r["seq"] == float64(2*n-1) {
				return true
			}
		}
		return false
	})
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	seen := map[int]int{}
	for _, r := range jsonLines(t, out) {
		seq := int(r["seq"].(float64))
		seen[seq]++
		if seq < n && r["az"] != nil {
			t.Fatalf("record %d sent while IMDS was down has metadata: %v", seq, r)
		}
		if seq > n && r["az"] != "eu-west-1b" {
			t.Fatalf("record %d sent after IMDS was back lacks metadata: %v", seq, r)
		}
	}
	for i := 0; i < 2*n; i++ {
		if seen[i] == 0 || (i != n && seen[i] != 1) {
			t.Fatalf("record %d arrived %d times", i, seen[i])
		}
	}
}
