package kubernetes

import (
	"os"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
)

const (
	apiLabels = `"labels":{"app.kubernetes.io/name":"api","pod-template-hash":"7d9f8b6c5d","tier":"backend"}`
	apiAnno   = `"annotations":{"kubernetes.io/psp":"eks.privileged","prometheus.io/scrape":"true"}`
	apiTail   = `"host":"ip-10-0-12-34.eu-west-1.compute.internal","pod_ip":"10.0.15.201","container_name":"api","docker_id":"` + apiID + `",` +
		`"container_hash":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api@sha256:9f2c4a1b0e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b",` +
		`"container_image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.42.0"`
	apiHead = `"pod_name":"api-7d9f8b6c5d-x2x4z","namespace_name":"payments","pod_id":"5a6b1c2d-3e4f-4a5b-8c7d-9e0f1a2b3c4d"`
	apiKube = `{` + apiHead + `,` + apiLabels + `,` + apiAnno + `,` + apiTail + `}`
	// nginxKube is web-0's nginx container: its status ID is an image
	// digest without a scheme, kept whole.
	nginxKube = `{"pod_name":"web-0","namespace_name":"frontend","pod_id":"c0ffee00-1111-4222-8333-444455556666",` +
		`"labels":{"app":"web","statefulset.kubernetes.io/pod-name":"web-0"},` +
		`"annotations":{"fluentbit.io/exclude_stderr":"true","fluentbit.io/exclude-sidecar":"true","fluentbit.io/parser":"nginx"},` +
		`"host":"ip-10-0-12-34.eu-west-1.compute.internal","pod_ip":"10.0.15.7","container_name":"nginx","docker_id":"` + nginxID + `",` +
		`"container_hash":"sha256:bbbb","container_image":"nginx:1.27"}`
)

func TestParseTag(t *testing.T) {
	tests := []struct {
		name, prefix, tag string
		dockerKey         bool
		want              tagInfo
		ok                bool
	}{
		{name: "deployment pod", prefix: "kube.var.log.containers.", tag: apiTag, ok: true,
			want: tagInfo{pod: "api-7d9f8b6c5d-x2x4z", namespace: "payments", container: "api", dockerID: apiID, podKey: "payments/api-7d9f8b6c5d-x2x4z", containerKey: "api/" + apiID}},
		{name: "dotted pod name and dashed container", prefix: "kube.var.log.containers.", tag: "kube.var.log.containers.my.pod-1_kube-system_aws-node-init-" + nginxID + ".log", ok: true,
			want: tagInfo{pod: "my.pod-1", namespace: "kube-system", container: "aws-node-init", dockerID: nginxID, podKey: "kube-system/my.pod-1", containerKey: "aws-node-init/" + nginxID}},
		{name: "container id in the cache key", prefix: "kube.var.log.containers.", tag: apiTag, dockerKey: true, ok: true,
			want: tagInfo{pod: "api-7d9f8b6c5d-x2x4z", namespace: "payments", container: "api", dockerID: apiID, podKey: "payments/api-7d9f8b6c5d-x2x4z/" + apiID, containerKey: "api/" + apiID}},
		{name: "custom prefix", prefix: "k8s.", tag: "k8s.web-0_frontend_nginx-" + nginxID + ".log", ok: true,
			want: tagInfo{pod: "web-0", namespace: "frontend", container: "nginx", dockerID: nginxID, podKey: "frontend/web-0", containerKey: "nginx/" + nginxID}},
		{name: "other prefix", prefix: "kube.var.log.containers.", tag: "app.web-0_frontend_nginx-" + nginxID + ".log"},
		{name: "prefix only", prefix: "kube.var.log.containers.", tag: "kube.var.log.containers."},
		{name: "short container id", prefix: "kube.", tag: "kube.web-0_frontend_nginx-abc123.log"},
		{name: "no .log suffix", prefix: "kube.", tag: "kube.web-0_frontend_nginx-" + nginxID},
		// The regex is not anchored at the start, as in Fluent Bit: an
		// invalid upper-case letter is skipped.
		{name: "unanchored start", prefix: "kube.", tag: "kube.Web_frontend_nginx-" + nginxID + ".log", ok: true,
			want: tagInfo{pod: "eb", namespace: "frontend", container: "nginx", dockerID: nginxID, podKey: "frontend/eb", containerKey: "nginx/" + nginxID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseTag(tagRegex(), tt.prefix, tt.tag, tt.dockerKey)
			if ok != tt.ok || got != tt.want {
				t.Errorf("parseTag(%q) = %+v, %v; want %+v, %v", tt.tag, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestEnrich checks the kubernetes map of pods in two namespaces, from the
// API server and from the kubelet, with the parameters that shape it.
func TestEnrich(t *testing.T) {
	tests := []struct {
		name    string
		kubelet bool
		params  []string
		tag     string
		want    string
	}{
		{name: "api server", tag: apiTag, want: `{"log":"hello\n","stream":"stdout","kubernetes":` + apiKube + `}`},
		{name: "second namespace, container status after an init container", tag: nginxTag,
			want: `{"log":"hello\n","stream":"stdout","kubernetes":` + nginxKube + `}`},
		{name: "kubelet over TLS", kubelet: true, tag: apiTag, want: `{"log":"hello\n","stream":"stdout","kubernetes":` + apiKube + `}`},
		{name: "kubelet, tls.verify off and no CA", kubelet: true, params: []string{"tls.verify", "off", "Kube_CA_File", "/nonexistent/ca.crt"}, tag: nginxTag,
			want: `{"log":"hello\n","stream":"stdout","kubernetes":` + nginxKube + `}`},
		{name: "no labels or annotations", params: []string{"Labels", "off", "Annotations", "off"}, tag: apiTag,
			want: `{"log":"hello\n","stream":"stdout","kubernetes":{` + apiHead + `,` + apiTail + `}}`},
		{name: "owner references", params: []string{"Owner_References", "on", "Annotations", "off"}, tag: apiTag,
			want: `{"log":"hello\n","stream":"stdout","kubernetes":{` + apiHead + `,` + apiLabels +
				`,"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"api-7d9f8b6c5d","uid":"0b1c2d3e-4f5a-4b6c-9d8e-7f6a5b4c3d2e","controller":true,"blockOwnerDeletion":true}],` + apiTail + `}}`},
		{name: "namespace labels and annotations", params: []string{"Namespace_Labels", "on", "Namespace_Annotations", "on", "Labels", "off", "Annotations", "off"}, tag: apiTag,
			want: `{"log":"hello\n","stream":"stdout","kubernetes":{` + apiHead + `,` + apiTail + `},` +
				`"kubernetes_namespace":{"name":"payments","labels":{"kubernetes.io/metadata.name":"payments","team":"billing"},"annotations":{"owner":"billing@example.com"}}}`},
		{name: "namespace metadata only", params: []string{"Namespace_Labels", "on", "Namespace_Metadata_Only", "on"}, tag: apiTag,
			want: `{"log":"hello\n","stream":"stdout","kubernetes_namespace":{"name":"payments","labels":{"kubernetes.io/metadata.name":"payments","team":"billing"}}}`},
		{name: "tag only", params: []string{"Use_Tag_For_Meta", "on", "Kube_URL", "http://127.0.0.1:1"}, tag: apiTag,
			want: `{"log":"hello\n","stream":"stdout","kubernetes":{"pod_name":"api-7d9f8b6c5d-x2x4z","namespace_name":"payments","container_name":"api","docker_id":"` + apiID + `"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, tt.kubelet)
			params := tt.params
			if tt.kubelet {
				host, port, _ := strings.Cut(strings.TrimPrefix(api.srv.URL, "https://"), ":")
				params = append([]string{"Kube_CA_File", api.caFile(t)}, params...) // a later Kube_CA_File wins
				params = append(params, "Use_Kubelet", "on", "Kubelet_Host", host, "Kubelet_Port", port,
					"Buffer_Size", "0", "Kube_URL", "https://kubernetes.invalid")
			}
			f := mustFilter(t, api, params...)
			for i := 0; i < 3; i++ { // the first batch fetches, the others hit the cache
				got, res := run(t, f, tt.tag, `{"log":"hello\n","stream":"stdout"}`, `{"log":"hello\n","stream":"stdout"}`)
				if res != plugin.FilterModified || len(got) != 2 || got[0] != tt.want || got[1] != tt.want {
					t.Fatalf("batch %d: got %v (%v)\nwant %s", i, got, res, tt.want)
				}
			}
			if tt.name == "tag only" {
				return
			}
			if n := api.requests.Load(); n > 2 { // a pod and at most a namespace
				t.Errorf("%d API requests for one pod; want one per object", n)
			}
		})
	}
}

func TestMergeLog(t *testing.T) {
	kube := `"kubernetes":` + apiKube
	tests := []struct {
		name   string
		params []string
		in     string
		want   string
	}{
		{name: "JSON log merged", in: `{"log":"{\"level\":\"info\",\"msg\":\"paid\\n\"}\n","stream":"stdout"}`,
			want: `{"log":"{\"level\":\"info\",\"msg\":\"paid\\n\"}\n","stream":"stdout","level":"info","msg":"paid",` + kube + `}`},
		{name: "no trim", params: []string{"Merge_Log_Trim", "off"}, in: `{"log":"{\"msg\":\"paid\\n\"}"}`,
			want: `{"log":"{\"msg\":\"paid\\n\"}","msg":"paid\n",` + kube + `}`},
		{name: "Keep_Log off", params: []string{"Keep_Log", "off"}, in: `{"stream":"stdout","log":"{\"a\":1,\"b\":[true,null]}"}`,
			want: `{"stream":"stdout","a":1,"b":[true,null],` + kube + `}`},
		{name: "Merge_Log_Key", params: []string{"Merge_Log_Key", "app", "Keep_Log", "off"}, in: `{"log":"{\"a\":{\"b\":2}}","stream":"stderr"}`,
			want: `{"stream":"stderr","app":{"a":{"b":2}},` + kube + `}`},
		{name: "empty object under Merge_Log_Key", params: []string{"Merge_Log_Key", "app"}, in: `{"log":"{}"}`,
			want: `{"log":"{}",` + kube + `}`},
		{name: "log already a map", params: []string{"Keep_Log", "off"}, in: `{"log":{"x":"y\n"},"n":1}`,
			want: `{"n":1,"x":"y\n",` + kube + `}`},
		{name: "plain text log", params: []string{"Keep_Log", "off"}, in: `{"log":"GET / 200\n"}`,
			want: `{"log":"GET / 200\n",` + kube + `}`},
		{name: "invalid JSON", params: []string{"Keep_Log", "off"}, in: `{"log":"{\"a\":"}`,
			want: `{"log":"{\"a\":",` + kube + `}`},
		{name: "JSON array", params: []string{"Keep_Log", "off"}, in: `{"log":"[1,2]"}`,
			want: `{"log":"[1,2]",` + kube + `}`},
		{name: "no log field", in: `{"message":"{\"a\":1}"}`,
			want: `{"message":"{\"a\":1}",` + kube + `}`},
		{name: "only the first log key", params: []string{"Keep_Log", "off"}, in: `{"log":"{\"a\":1}","log":"second"}`,
			want: `{"log":"second","a":1,` + kube + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, false)
			f := mustFilter(t, api, append([]string{"Merge_Log", "on"}, tt.params...)...)
			got, _ := run(t, f, apiTag, tt.in)
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("got  %v\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTrimLogValue(t *testing.T) {
	for in, want := range map[string]string{
		"a\n": "a", "a\n\n": "a", `a\n`: "a", `a\r\n`: "a", "a": "a", "\n": "\n", `a\\`: `a\\`, "": "",
	} {
		if got := string(trimLogValue([]byte(in))); got != want {
			t.Errorf("trimLogValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExclude checks the fluentbit.io/exclude annotations of web-0: its
// stderr is excluded, and all of its sidecar's logs.
func TestExclude(t *testing.T) {
	bodies := []string{`{"log":"out","stream":"stdout"}`, `{"log":"err","stream":"stderr"}`, `{"log":"none"}`}
	tests := []struct {
		name     string
		params   []string
		tag      string
		wantLogs []string
	}{
		{name: "stderr excluded", params: []string{"K8S-Logging.Exclude", "on"}, tag: nginxTag, wantLogs: []string{"out", "none"}},
		{name: "container excluded", params: []string{"K8S-Logging.Exclude", "on"}, tag: sidecarTag, wantLogs: nil},
		{name: "exclusion not allowed", tag: sidecarTag, wantLogs: []string{"out", "err", "none"}},
		{name: "pod without exclusion", params: []string{"K8S-Logging.Exclude", "on"}, tag: apiTag, wantLogs: []string{"out", "err", "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustFilter(t, newFakeAPI(t, false), tt.params...)
			got, _ := run(t, f, tt.tag, bodies...)
			var logs []string
			for _, g := range got {
				_, rest, _ := strings.Cut(g, `{"log":"`)
				logs = append(logs, rest[:strings.IndexByte(rest, '"')])
			}
			if strings.Join(logs, ",") != strings.Join(tt.wantLogs, ",") {
				t.Errorf("logs %v, want %v", logs, tt.wantLogs)
			}
			if want := uint64(len(bodies) - len(tt.wantLogs)); f.excluded.Load() != want {
				t.Errorf("excluded %d, want %d", f.excluded.Load(), want)
			}
		})
	}
}

func TestResolveProps(t *testing.T) {
	ann := map[string]string{
		"fluentbit.io/exclude":               "false",
		"fluentbit.io/exclude_stderr-worker": "true",
		"fluentbit.io/parser_stdout":         "json",
		"fluentbit.io/parser-worker":         "apache",
		"fluentbit.io/bogus":                 "x",
		"fluentbit.io/exclude_stdin":         "true",
	}
	p, warns := resolveProps(ann, "worker", true, true)
	want := props{stdoutParser: "apache", stderrParser: "apache", stdoutExclude: no, stderrExclude: yes}
	if p != want {
		t.Errorf("worker: %+v, want %+v", p, want)
	}
	if len(warns) != 2 {
		t.Errorf("warnings %v, want the unknown annotation and the invalid stream", warns)
	}
	p, _ = resolveProps(ann, "main", true, true)
	if want := (props{stdoutParser: "json", stdoutExclude: no, stderrExclude: no}); p != want {
		t.Errorf("main: %+v, want %+v", p, want)
	}
	p, warns = resolveProps(ann, "main", false, false)
	if p != (props{}) || len(warns) != 4 {
		t.Errorf("nothing allowed: %+v, %d warnings; want none set and 4 (two not allowed, two invalid)", p, len(warns))
	}
}

// TestAPIErrors checks that records pass without metadata, counted, when the
// API fails, and that a failure is retried after the negative cache TTL.
func TestAPIErrors(t *testing.T) {
	for _, status := range []int{403, 404, 500, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			api := newFakeAPI(t, false)
			api.status.Store(int64(status))
			f := mustFilter(t, api, "Kube_Meta_Negative_Cache_TTL", "50ms")
			got, res := run(t, f, apiTag, `{"log":"a"}`, `{"log":"b"}`)
			if res != plugin.FilterUnchanged || len(got) != 2 || got[0] != `{"log":"a"}` {
				t.Fatalf("got %v (%v); want the records unchanged", got, res)
			}
			run(t, f, apiTag, `{"log":"c"}`)
			if n := f.unenriched.Load(); n != 3 {
				t.Errorf("unenriched %d, want 3", n)
			}
			if n := api.requests.Load(); n != 1 {
				t.Errorf("%d requests within the negative cache TTL, want 1", n)
			}
			api.status.Store(0)
			eventually(t, "metadata after the API recovers", func() bool {
				got, _ := run(t, f, apiTag, `{"log":"d"}`)
				return len(got) == 1 && strings.Contains(got[0], `"kubernetes":`+apiKube)
			})
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		f := mustFilter(t, nil, "Kube_URL", "http://127.0.0.1:1")
		got, _ := run(t, f, apiTag, `{"log":"a"}`)
		if len(got) != 1 || got[0] != `{"log":"a"}` {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("response over Buffer_Size", func(t *testing.T) {
		api := newFakeAPI(t, false)
		f := mustFilter(t, api, "Buffer_Size", "1k")
		got, _ := run(t, f, apiTag, `{"log":"a"}`)
		if len(got) != 1 || got[0] != `{"log":"a"}` {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("tag of no pod", func(t *testing.T) {
		api := newFakeAPI(t, false)
		f := mustFilter(t, api, "Merge_Log", "on")
		got, res := run(t, f, "kube.var.log.messages", `{"log":"{\"a\":1}"}`)
		if res != plugin.FilterUnchanged || got[0] != `{"log":"{\"a\":1}"}` || api.requests.Load() != 0 {
			t.Fatalf("got %v (%v), %d requests", got, res, api.requests.Load())
		}
	})
}

// TestSlowAPI checks that a stalled API costs one bounded wait: the first
// batch waits Kube_Meta_IO_Timeout at most, later batches pass at once, a
// single request is made, and metadata appears once the API answers.
func TestSlowAPI(t *testing.T) {
	api := newFakeAPI(t, false)
	release := api.stallAnswers()
	f := mustFilter(t, api, "Kube_Meta_IO_Timeout", "200ms", "Kube_Meta_Negative_Cache_TTL", "10ms")
	for i := 0; i < 3; i++ {
		got, _ := run(t, f, apiTag, `{"log":"a"}`)
		if len(got) != 1 || got[0] != `{"log":"a"}` {
			t.Fatalf("batch %d: %v", i, got)
		}
	}
	if n := api.requests.Load(); n != 1 {
		t.Errorf("%d requests while the first is stalled, want 1", n)
	}
	if n := f.unenriched.Load(); n != 3 {
		t.Errorf("unenriched %d, want 3", n)
	}
	release()
	eventually(t, "metadata once the API answers", func() bool {
		got, _ := run(t, f, apiTag, `{"log":"a"}`)
		return strings.Contains(got[0], `"kubernetes":`+apiKube)
	})
}

// TestSingleFlight checks that concurrent batches of one pod share one
// request: no thundering herd on the API server.
func TestSingleFlight(t *testing.T) {
	api := newFakeAPI(t, false)
	release := api.stallAnswers()
	f := mustFilter(t, api, "Kube_Meta_IO_Timeout", "10s")
	var wg sync.WaitGroup
	results := make([][]string, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = run(t, f, apiTag, `{"log":"a"}`)
		}()
	}
	eventually(t, "the first request", func() bool { return api.requests.Load() >= 1 })
	release()
	wg.Wait()
	if n := api.requests.Load(); n != 1 {
		t.Errorf("%d requests for 16 concurrent batches, want 1", n)
	}
	for i, got := range results {
		if len(got) != 1 || !strings.Contains(got[0], `"kubernetes":`+apiKube) {
			t.Errorf("batch %d: %v", i, got)
		}
	}
}

// TestTokenRotation checks that a rotated token file is read again after
// a 401, without waiting for Kube_Token_TTL.
func TestTokenRotation(t *testing.T) {
	api := newFakeAPI(t, false)
	tokenFile := filepath.Join(t.TempDir(), "token")
	write := func(tok string) {
		if err := os.WriteFile(tokenFile, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("token-one")
	api.token.Store("token-one")
	f := mustFilter(t, api, "Kube_Token_File", tokenFile, "Kube_Token_TTL", "1h", "Kube_Meta_Cache_TTL", "1ms")
	if got, _ := run(t, f, apiTag, `{"log":"a"}`); !strings.Contains(got[0], apiKube) {
		t.Fatalf("with the first token: %v", got)
	}
	write("token-two")
	api.token.Store("token-two")
	before := api.requests.Load()
	eventually(t, "metadata fetched with the rotated token", func() bool {
		got, _ := run(t, f, apiTag, `{"log":"a"}`)
		return api.requests.Load() > before+1 && strings.Contains(got[0], apiKube)
	})
	api.mu.Lock()
	defer api.mu.Unlock()
	if last := api.seen[len(api.seen)-1]; last != "Bearer token-two" {
		t.Errorf("last Authorization %q, want the rotated token", last)
	}
	if f.unenriched.Load() != 0 {
		t.Errorf("%d records without metadata; the 401 should have been retried with the new token", f.unenriched.Load())
	}
}

// TestTokenTTL checks that the token file is read again once Kube_Token_TTL
// has passed, before the API refuses the old token.
func TestTokenTTL(t *testing.T) {
	api := newFakeAPI(t, false)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := mustFilter(t, api, "Kube_Token_File", tokenFile, "Kube_Token_TTL", "1ms", "Kube_Meta_Cache_TTL", "1ms")
	run(t, f, apiTag, `{"log":"a"}`)
	if err := os.WriteFile(tokenFile, []byte("second"), 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a request with the new token", func() bool {
		run(t, f, apiTag, `{"log":"a"}`)
		api.mu.Lock()
		defer api.mu.Unlock()
		return api.seen[len(api.seen)-1] == "Bearer second"
	})
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.seen[0] != "Bearer first" {
		t.Errorf("first request carried %q", api.seen[0])
	}
}

func TestCacheTTL(t *testing.T) {
	api := newFakeAPI(t, false)
	f := mustFilter(t, api, "Kube_Meta_Cache_TTL", "20ms")
	run(t, f, apiTag, `{"log":"a"}`)
	eventually(t, "a second request after the TTL", func() bool {
		run(t, f, apiTag, `{"log":"a"}`)
		return api.requests.Load() >= 2
	})
}

// TestParsers checks the three ways named parsers apply: Regex_Parser reads
// the tag, Merge_Parser the log field, and the fluentbit.io/parser
// annotation (with K8S-Logging.Parser) the log of that pod's streams.
func TestParsers(t *testing.T) {
	t.Run("Regex_Parser", func(t *testing.T) {
		for _, name := range []string{"kube-custom", "ns-first"} {
			api := newFakeAPI(t, false)
			tag := apiTag
			params := []string{"Regex_Parser", name, "Labels", "off", "Annotations", "off"}
			if name == "ns-first" {
				tag = "k8s.payments.api-7d9f8b6c5d-x2x4z.api"
				params = append(params, "Kube_Tag_Prefix", "k8s.")
			}
			f := mustFilter(t, api, params...)
			got, _ := run(t, f, tag, `{"log":"a"}`)
			if len(got) != 1 || !strings.Contains(got[0], `"pod_name":"api-7d9f8b6c5d-x2x4z","namespace_name":"payments","pod_id":`) ||
				!strings.Contains(got[0], `"container_name":"api"`) {
				t.Errorf("%s: %v", name, got)
			}
		}
	})
	t.Run("Merge_Parser", func(t *testing.T) {
		f := mustFilter(t, newFakeAPI(t, false), "Merge_Log", "on", "Merge_Parser", "logfmt", "Keep_Log", "off", "Labels", "off", "Annotations", "off")
		got, _ := run(t, f, apiTag, `{"log":"level=warn msg=\"card declined\" attempt=2\n","stream":"stdout"}`)
		want := `{"stream":"stdout","level":"warn","msg":"card declined","attempt":"2","kubernetes":{` + apiHead + `,` + apiTail + `}}`
		if len(got) != 1 || got[0] != want {
			t.Errorf("got  %v\nwant %s", got, want)
		}
	})
	t.Run("annotation", func(t *testing.T) {
		// web-0 annotates fluentbit.io/parser: nginx.
		f := mustFilter(t, newFakeAPI(t, false), "Merge_Log", "on", "K8S-Logging.Parser", "on", "Keep_Log", "off")
		var in, out record.Builder
		in.BeginEvent(record.Time(1700000000123456789), nil)
		line := `10.0.3.1 - - [30/Nov/2026:08:12:44 +0000] \"GET /index.html HTTP/1.1\" 200 512 \"-\" \"curl/8.5\"`
		if err := in.AppendJSONValue([]byte(`{"log":"` + line + `","stream":"stdout"}`)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Filter(nginxTag, in.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		it := record.NewIterator(out.Bytes())
		if !it.Next() {
			t.Fatal(it.Err())
		}
		ev := it.Event()
		js, _, _ := record.AppendJSON(nil, ev.Body)
		if !strings.HasPrefix(string(js), `{"stream":"stdout","remote":"10.0.3.1","host":"-","user":"-","method":"GET","path":"/index.html","code":"200","size":"512","referer":"-","agent":"curl/8.5","kubernetes":`) {
			t.Errorf("record %s", js)
		}
		if want := time.Date(2026, 11, 30, 8, 12, 44, 0, time.UTC); ev.Time.Std().UTC() != want {
			t.Errorf("time %v, want the parsed %v", ev.Time.Std().UTC(), want)
		}
		// Without K8S-Logging.Parser the annotation is ignored: not JSON,
		// nothing merged.
		f = mustFilter(t, newFakeAPI(t, false), "Merge_Log", "on", "Keep_Log", "off")
		got, _ := run(t, f, nginxTag, `{"log":"GET / 200","stream":"stdout"}`)
		if len(got) != 1 || !strings.HasPrefix(got[0], `{"log":"GET / 200","stream":"stdout","kubernetes":`) {
			t.Errorf("annotation not allowed: %v", got)
		}
	})
}

func TestConfigErrors(t *testing.T) {
	for _, kv := range [][]string{
		{"Kube_URL", "kubernetes.default.svc"},
		{"Kube_URL", "ftp://x"},
		{"Regex_Parser", "no-such-parser"},
		{"Regex_Parser", "json"},
		{"Merge_Parser", "no-such-parser"},
		{"Use_Journal", "on"},
		{"Kubelet_Port", "0"},
	} {
		if _, err := newFilter(t, nil, kv...); err == nil {
			t.Errorf("%v: no error", kv)
		} else if !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%v: error %q does not name the parameter", kv, err)
		}
	}
}
