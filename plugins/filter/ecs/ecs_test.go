package ecs

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

const (
	appTag    = "ecs.79c796ed2a7f864f485c76f83f3165488097279d296a7c05bd5201a1c69b2920"
	routerTag = "ecs.a1b2c3d4e5f6"
	allKeys   = "$ClusterName|$ContainerInstanceArn|$ContainerInstanceID|$ECSAgentVersion|$TaskARN|$TaskID|$TaskDefinitionFamily|$TaskDefinitionVersion|$ContainerID|$DockerContainerName|$ECSContainerName"
)

// fakeAgent serves the recorded responses of testdata as the ECS agent
// introspection API and the task metadata endpoint v4 do.
type fakeAgent struct {
	srv      *httptest.Server
	requests atomic.Int64
	failing  atomic.Bool
	stall    chan struct{}
	mu       sync.Mutex
	paths    []string
}

func newFakeAgent(t testing.TB) *fakeAgent {
	a := &fakeAgent{stall: make(chan struct{})}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.requests.Add(1)
		a.mu.Lock()
		a.paths = append(a.paths, r.URL.RequestURI())
		a.mu.Unlock()
		if a.failing.Load() {
			http.Error(w, "agent not ready", http.StatusServiceUnavailable)
			return
		}
		var name string
		switch {
		case r.URL.Path == "/v1/metadata":
			name = "agent_metadata.json"
		case r.URL.Path == "/v1/tasks" && (r.URL.Query().Get("dockerid") == "79c796ed2a7f" || r.URL.Query().Get("dockerid") == "a1b2c3d4e5f6"):
			name = "agent_task.json"
		case r.URL.Path == "/v4/meta/task":
			name = "v4_task.json"
		case r.URL.Path == "/v4/stalled/task":
			<-a.stall
			return
		default:
			http.Error(w, `{"error":"no task"}`, http.StatusNotFound)
			return
		}
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Error(err)
		}
		w.Write(data)
	}))
	t.Cleanup(func() { close(a.stall); a.srv.Close() })
	return a
}

func (a *fakeAgent) hostPort() (string, string) {
	host, port, _ := strings.Cut(strings.TrimPrefix(a.srv.URL, "http://"), ":")
	return host, port
}

func newFilter(t testing.TB, kv ...string) (*Filter, error) {
	t.Helper()
	sect := &config.Section{Kind: config.KindFilter, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "ecs"}, config.Param{Key: "Match", Value: "*"})
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[FILTER] ecs")
	if err != nil {
		return nil, err
	}
	f, err := New(plugin.Settings{ID: "ecs.0", Config: cfg})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := f.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return f, nil
}

func mustFilter(t testing.TB, kv ...string) *Filter {
	t.Helper()
	f, err := newFilter(t, kv...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// run filters one record under tag and returns the body that comes out.
func run(t testing.TB, f *Filter, tag, body string) string {
	t.Helper()
	var in, out record.Builder
	in.BeginEvent(record.Time(1700000000000000000), nil)
	if err := in.AppendJSONValue([]byte(body)); err != nil {
		t.Fatal(err)
	}
	res, err := f.Filter(tag, in.Bytes(), &out)
	if err != nil {
		t.Fatal(err)
	}
	data := out.Bytes()
	if res == plugin.FilterUnchanged {
		data = in.Bytes()
	}
	it := record.NewIterator(data)
	if !it.Next() {
		t.Fatalf("no record: %v", it.Err())
	}
	js, _, err := record.AppendJSON(nil, it.Event().Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

func TestTemplate(t *testing.T) {
	meta := map[string]string{"ClusterName": "prod", "TaskID": "abc", "ECSContainerName": "app"}
	for tmpl, want := range map[string]string{
		"$ClusterName":                           "prod",
		"$ClusterName.$TaskID.$ECSContainerName": "prod.abc.app",
		"task-$TaskID!":                          "task-abc!",
		"cost $":                                 "cost $",
		"$ContainerID":                           "",
		"plain":                                  "plain",
	} {
		tp, err := parseTemplate(tmpl)
		if err != nil {
			t.Fatalf("%q: %v", tmpl, err)
		}
		if got := tp.render(meta); got != want {
			t.Errorf("%q renders %q, want %q", tmpl, got, want)
		}
	}
	if _, err := parseTemplate("$TaskDefinitionRevision"); err == nil || !strings.Contains(err.Error(), "$TaskDefinitionVersion") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestAgent(t *testing.T) {
	a := newFakeAgent(t)
	host, port := a.hostPort()
	base := []string{"ECS_Meta_Source", "agent", "ECS_Meta_Host", host, "ECS_Meta_Port", port, "ECS_Tag_Prefix", "ecs.", "Add", "meta " + allKeys}
	tests := []struct {
		name   string
		params []string
		tag    string
		want   string
	}{
		{name: "full container ID in the tag", tag: appTag,
			want: `prod-ec2|arn:aws:ecs:eu-west-1:123456789012:container-instance/prod-ec2/6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a|6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a|Amazon ECS Agent - v1.88.0 (8b9b7f1e)|` +
				`arn:aws:ecs:eu-west-1:123456789012:task/prod-ec2/e01d58a8151b40e8bc0122647b9ecfec|e01d58a8151b40e8bc0122647b9ecfec|checkout|17|` +
				`79c796ed2a7f864f485c76f83f3165488097279d296a7c05bd5201a1c69b2920|ecs-checkout-17-app-9ac0808dd0afa495f001|app`},
		{name: "second container of the task", tag: routerTag,
			want: `prod-ec2|arn:aws:ecs:eu-west-1:123456789012:container-instance/prod-ec2/6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a|6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a|Amazon ECS Agent - v1.88.0 (8b9b7f1e)|` +
				`arn:aws:ecs:eu-west-1:123456789012:task/prod-ec2/e01d58a8151b40e8bc0122647b9ecfec|e01d58a8151b40e8bc0122647b9ecfec|checkout|17|` +
				`a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90|ecs-checkout-17-log_router-b2d0d8a1f2e3c4b5a601|log_router`},
		{name: "not an ECS container: cluster only", tag: "ecs.dockerd000000",
			want: `prod-ec2|arn:aws:ecs:eu-west-1:123456789012:container-instance/prod-ec2/6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a|6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a|Amazon ECS Agent - v1.88.0 (8b9b7f1e)|||||||`},
		{name: "Cluster_Metadata_Only", tag: appTag, params: []string{"Cluster_Metadata_Only", "on"},
			want: `prod-ec2|arn:aws:ecs:eu-west-1:123456789012:container-instance/prod-ec2/6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a|6c3f4a8e2b1d4f0a9e7c5b3a1d2e4f6a|Amazon ECS Agent - v1.88.0 (8b9b7f1e)|||||||`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustFilter(t, append(append([]string{}, base...), tt.params...)...)
			for i := 0; i < 3; i++ {
				got := run(t, f, tt.tag, `{"log":"x"}`)
				if want := `{"log":"x","meta":"` + tt.want + `"}`; got != want {
					t.Fatalf("batch %d:\ngot  %s\nwant %s", i, got, want)
				}
			}
		})
	}
	t.Run("one task request for both containers", func(t *testing.T) {
		a := newFakeAgent(t)
		host, port := a.hostPort()
		f := mustFilter(t, "ECS_Meta_Source", "agent", "ECS_Meta_Host", host, "ECS_Meta_Port", port, "ECS_Tag_Prefix", "ecs.", "Add", "task $TaskID")
		run(t, f, appTag, `{}`)
		run(t, f, routerTag, `{}`)
		run(t, f, appTag, `{}`)
		if n := a.requests.Load(); n != 2 {
			t.Errorf("%d requests (%v); want /v1/metadata and one /v1/tasks", n, a.paths)
		}
	})
	t.Run("retries per tag", func(t *testing.T) {
		a := newFakeAgent(t)
		host, port := a.hostPort()
		f := mustFilter(t, "ECS_Meta_Source", "agent", "ECS_Meta_Host", host, "ECS_Meta_Port", port, "ECS_Tag_Prefix", "ecs.",
			"Add", "task $TaskID", "Agent_Endpoint_Retries", "2")
		eventually(t, "two failed lookups", func() bool {
			run(t, f, "ecs.ffffffffffff", `{}`)
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.failures["ecs.ffffffffffff"] >= 2
		})
		before := a.requests.Load()
		time.Sleep(retryAfter + 50*time.Millisecond) // past the retry pause, so only the per-tag limit can hold requests back
		if got := run(t, f, "ecs.ffffffffffff", `{}`); got != `{"task":""}` {
			t.Errorf("got %s", got)
		}
		if a.requests.Load() != before {
			t.Errorf("a task lookup after Agent_Endpoint_Retries failures")
		}
	})
	t.Run("agent down", func(t *testing.T) {
		a := newFakeAgent(t)
		a.failing.Store(true)
		host, port := a.hostPort()
		f := mustFilter(t, "ECS_Meta_Source", "agent", "ECS_Meta_Host", host, "ECS_Meta_Port", port, "ECS_Tag_Prefix", "ecs.", "Add", "task $TaskID")
		if got := run(t, f, appTag, `{"log":"x"}`); got != `{"log":"x"}` {
			t.Fatalf("got %s; want the record unchanged", got)
		}
		a.failing.Store(false)
		eventually(t, "metadata once the agent answers", func() bool {
			return run(t, f, appTag, `{"log":"x"}`) == `{"log":"x","task":"e01d58a8151b40e8bc0122647b9ecfec"}`
		})
	})
}

func TestTaskMetadataV4(t *testing.T) {
	a := newFakeAgent(t)
	t.Setenv("ECS_CONTAINER_METADATA_URI_V4", a.srv.URL+"/v4/meta")
	f := mustFilter(t, "Add", "meta "+allKeys)
	task := `prod-fargate||||arn:aws:ecs:eu-west-1:123456789012:task/prod-fargate/0b69d5c0d8d44eb39e8f0f7c1e2d3a4b|0b69d5c0d8d44eb39e8f0f7c1e2d3a4b|checkout|18|`
	for tag, want := range map[string]string{
		"app-firelens-0b69d5c0d8d44eb39e8f0f7c1e2d3a4b": task + `0b69d5c0d8d44eb39e8f0f7c1e2d3a4b-1111111111|app|app`,
		"log_router-firelens-0b69d5c0d8d4":              task + `0b69d5c0d8d44eb39e8f0f7c1e2d3a4b-2222222222|log_router|log_router`,
		"other":                                         task + `||`,
	} {
		if got := run(t, f, tag, `{}`); got != `{"meta":"`+want+`"}` {
			t.Errorf("%s:\ngot  %s\nwant %s", tag, got, `{"meta":"`+want+`"}`)
		}
	}
	if n := a.requests.Load(); n != 1 {
		t.Errorf("%d requests, want one task request", n)
	}
}

func TestStalledEndpoint(t *testing.T) {
	a := newFakeAgent(t)
	t.Setenv("ECS_CONTAINER_METADATA_URI_V4", a.srv.URL+"/v4/stalled")
	f := mustFilter(t, "Add", "task $TaskID", "ECS_Meta_IO_Timeout", "100ms")
	for i := 0; i < 3; i++ {
		if got := run(t, f, "app-firelens-x", `{"log":"x"}`); got != `{"log":"x"}` {
			t.Fatalf("got %s", got)
		}
	}
	if n := a.requests.Load(); n != 1 {
		t.Errorf("%d requests to a stalled endpoint within its timeout, want 1", n)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Setenv("ECS_CONTAINER_METADATA_URI_V4", "")
	for _, kv := range [][]string{
		{"ECS_Tag_Prefix", "x"},
		{"Add", "k $Nope"},
		{"Add", "k $TaskID", "ECS_Meta_Source", "task_metadata_v4"},
		{"Add", "k $TaskID", "ECS_Meta_Source", "v3"},
	} {
		if _, err := newFilter(t, kv...); err == nil {
			t.Errorf("%v: no error", kv)
		}
	}
}

func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
