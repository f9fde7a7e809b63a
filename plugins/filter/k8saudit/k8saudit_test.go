package k8saudit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// captureEmitter is the engine's emitter as a filter sees it: it keeps
// what the filter emits.
type captureEmitter struct {
	mu     sync.Mutex
	tags   []string
	alerts []map[string]any
}

func (c *captureEmitter) Emit(_ context.Context, tag string, events []byte, _ int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	it := record.NewIterator(events)
	for it.Next() {
		js, _, err := record.AppendJSON(nil, it.Event().Body)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			return err
		}
		c.tags = append(c.tags, tag)
		c.alerts = append(c.alerts, m)
	}
	return it.Err()
}

func (c *captureEmitter) ruleIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for _, a := range c.alerts {
		ids = append(ids, a["rule_id"].(string))
	}
	return ids
}

func newFilter(t testing.TB, kv ...string) (*Filter, *captureEmitter) {
	t.Helper()
	s := plugintest.Settings(t, Spec(), kv...)
	em := &captureEmitter{}
	s.Emitter = em
	f, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return f, em
}

// feed passes the JSON records through f and checks that the batch itself
// is never changed.
func feed(t testing.TB, f *Filter, tag string, bodies ...string) {
	t.Helper()
	if len(bodies) == 0 {
		return
	}
	if _, changed := plugintest.RunFilter(t, f, tag, bodies...); changed {
		t.Fatal("k8s_audit changed the events it inspected")
	}
}

var (
	publicIP = "198.51.100.23"
	vpcIP    = "10.0.12.34"
)

// TestShippedRulesFire gives each shipped rule its positive case and checks
// that exactly the expected rules fire.
func TestShippedRulesFire(t *testing.T) {
	privileged := pod(map[string]any{"containers": []any{container("x", map[string]any{"privileged": true})}})
	hostPath := pod(map[string]any{"containers": []any{container("x", nil)},
		"volumes": []any{map[string]any{"name": "root", "hostPath": map[string]any{"path": "/"}}}})
	hostPID := pod(map[string]any{"hostPID": true, "containers": []any{container("x", nil)}})
	tests := []struct {
		rule   string
		events []auditEvent
		want   []string
	}{
		{"K8S-001", []auditEvent{{verb: "list", user: "system:anonymous", groups: []string{"system:unauthenticated"}, resource: "secrets", sourceIP: vpcIP}},
			[]string{"K8S-001", "K8S-004"}}, // an anonymous secret read is also an unexpected one
		{"K8S-002 exec", []auditEvent{{verb: "create", user: admin[0], groups: admin[1:], resource: "pods", subresource: "exec", namespace: "web", name: "web-1", sourceIP: vpcIP, stage: "ResponseStarted"}},
			[]string{"K8S-002"}},
		{"K8S-002 portforward", []auditEvent{{verb: "create", user: developer[0], groups: developer[1:], resource: "pods", subresource: "portforward", namespace: "payments", name: "db-0", sourceIP: vpcIP}},
			[]string{"K8S-002"}},
		{"K8S-003 privileged", []auditEvent{{verb: "create", user: developer[0], groups: developer[1:], resource: "pods", namespace: "web", sourceIP: vpcIP, request: privileged}},
			[]string{"K8S-003"}},
		{"K8S-003 hostPath", []auditEvent{{verb: "create", user: controllers[0], resource: "pods", namespace: "web", sourceIP: vpcIP, request: hostPath}},
			[]string{"K8S-003"}},
		{"K8S-003 hostPID", []auditEvent{{verb: "create", user: controllers[0], resource: "pods", namespace: "web", sourceIP: vpcIP, request: hostPID}},
			[]string{"K8S-003"}},
		{"K8S-004", []auditEvent{{verb: "get", user: developer[0], groups: developer[1:], resource: "secrets", namespace: "payments", name: "db-credentials", sourceIP: vpcIP}},
			[]string{"K8S-004"}},
		{"K8S-005", []auditEvent{{verb: "create", user: developer[0], groups: developer[1:], resource: "clusterrolebindings", sourceIP: vpcIP,
			request: map[string]any{"kind": "ClusterRoleBinding", "roleRef": map[string]any{"kind": "ClusterRole", "name": "cluster-admin"}}}},
			[]string{"K8S-005"}},
		{"K8S-006 token request", []auditEvent{{verb: "create", user: developer[0], groups: developer[1:], resource: "serviceaccounts", subresource: "token", namespace: "payments", name: "deployer", sourceIP: vpcIP}},
			[]string{"K8S-006"}},
		{"K8S-006 token secret", []auditEvent{{verb: "create", user: developer[0], groups: developer[1:], resource: "secrets", namespace: "payments", sourceIP: vpcIP,
			request: map[string]any{"kind": "Secret", "type": "kubernetes.io/service-account-token"}}},
			[]string{"K8S-006"}},
		{"K8S-007", []auditEvent{{verb: "patch", user: admin[0], groups: admin[1:], resource: "configmaps", namespace: "kube-system", name: "aws-auth", sourceIP: vpcIP}},
			[]string{"K8S-007"}},
		{"K8S-008 events", []auditEvent{{verb: "deletecollection", user: developer[0], groups: developer[1:], resource: "events", namespace: "payments", sourceIP: vpcIP}},
			[]string{"K8S-008"}},
		{"K8S-008 log router", []auditEvent{{verb: "delete", user: developer[0], groups: developer[1:], resource: "daemonsets", namespace: "logging", name: "sluice", sourceIP: vpcIP}},
			[]string{"K8S-008"}},
		{"K8S-009", []auditEvent{{verb: "list", user: developer[0], groups: developer[1:], resource: "pods", namespace: "web", sourceIP: publicIP}},
			[]string{"K8S-009"}},
		{"K8S-010", repeat(5, auditEvent{verb: "get", resource: "pods", namespace: "default", code: 401, sourceIP: vpcIP}),
			[]string{"K8S-010"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			f, em := newFilter(t)
			var bodies []string
			for i, e := range tt.events {
				e.id = i + 1
				bodies = append(bodies, e.json())
			}
			feed(t, f, "kube.audit", bodies...)
			if got := em.ruleIDs(); !slices.Equal(got, tt.want) {
				t.Errorf("rules fired %v, want %v", got, tt.want)
			}
			for _, tag := range em.tags {
				if tag != "security.k8s_audit" {
					t.Errorf("alert on tag %q", tag)
				}
			}
		})
	}
}

func repeat(n int, e auditEvent) []auditEvent {
	out := make([]auditEvent, n)
	for i := range out {
		out[i] = e
	}
	return out
}

func TestAuthenticatorBurst(t *testing.T) {
	f, em := newFilter(t)
	line := `time="2024-05-01T12:00:00Z" level=warning msg="access denied" arn="arn:aws:iam::123456789012:user/mallory" client="127.0.0.1:53412" error="ARN is not mapped" method=POST path=/authenticate`
	var bodies []string
	for range 9 {
		b, _ := json.Marshal(map[string]string{"log": line})
		bodies = append(bodies, string(b))
	}
	feed(t, f, "eks.authenticator", bodies...)
	if got := em.ruleIDs(); !slices.Equal(got, []string{"K8S-011"}) {
		t.Errorf("rules fired %v, want one K8S-011 for 9 denials (one per 5)", got)
	}
}

func TestBenignCorpusIsSilent(t *testing.T) {
	f, em := newFilter(t)
	events := benignEvents(3000, 1)
	for i := 0; i < len(events); i += 100 {
		feed(t, f, "kube.audit", events[i:min(i+100, len(events))]...)
	}
	if n := len(em.alerts); n > 0 {
		for _, a := range em.alerts[:min(n, 5)] {
			t.Logf("alert: %v", a)
		}
		t.Errorf("%d alerts on %d benign events", n, len(events))
	}
}

func TestAlertCarriesWhoWhatWhere(t *testing.T) {
	f, em := newFilter(t)
	e := auditEvent{id: 7, verb: "create", user: admin[0], groups: admin[1:], resource: "pods", subresource: "exec",
		namespace: "web", name: "web-1", sourceIP: vpcIP, userAgent: "kubectl/v1.29.3"}
	feed(t, f, "kube.audit", e.json())
	if len(em.alerts) != 1 {
		t.Fatalf("alerts: %v", em.alerts)
	}
	a := em.alerts[0]
	want := map[string]any{"alert": "k8s_audit", "rule_id": "K8S-002", "severity": "high", "user": "kubernetes-admin",
		"verb": "create", "resource": "pods", "subresource": "exec", "namespace": "web", "name": "web-1",
		"source_tag": "kube.audit", "audit_id": "5c4f9b2e-0007-4d3b-9a7e-000000000007", "user_agent": "kubectl/v1.29.3",
		"response_code": float64(200), "count": float64(1)}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("alert[%s] = %v, want %v", k, a[k], v)
		}
	}
	if fmt.Sprint(a["source_ips"]) != "["+vpcIP+"]" || fmt.Sprint(a["groups"]) != "[system:masters system:authenticated]" {
		t.Errorf("alert source_ips %v groups %v", a["source_ips"], a["groups"])
	}
}

func TestOneAlertPerRequestAcrossStages(t *testing.T) {
	f, em := newFilter(t)
	base := auditEvent{id: 1, verb: "create", user: admin[0], resource: "pods", subresource: "exec", namespace: "web", name: "w", sourceIP: vpcIP}
	var bodies []string
	for _, stage := range []string{"RequestReceived", "ResponseStarted", "ResponseComplete"} {
		e := base
		e.stage = stage
		bodies = append(bodies, e.json())
	}
	feed(t, f, "kube.audit", bodies...)
	if got := em.ruleIDs(); !slices.Equal(got, []string{"K8S-002"}) {
		t.Errorf("rules fired %v, want one K8S-002", got)
	}
}

func TestThresholdCountsPerGroup(t *testing.T) {
	f, em := newFilter(t)
	fail := func(id int, ip string) string {
		return auditEvent{id: id, verb: "get", resource: "pods", code: 401, sourceIP: ip}.json()
	}
	// Four failures each from two addresses: no burst.
	var bodies []string
	for i := range 4 {
		bodies = append(bodies, fail(2*i, "10.0.0.1"), fail(2*i+1, "10.0.0.2"))
	}
	feed(t, f, "kube.audit", bodies...)
	if len(em.alerts) != 0 {
		t.Fatalf("alerts below the threshold: %v", em.ruleIDs())
	}
	feed(t, f, "kube.audit", fail(8, "10.0.0.1"))
	if got := em.ruleIDs(); !slices.Equal(got, []string{"K8S-010"}) || em.alerts[0]["count"] != float64(5) {
		t.Fatalf("fifth failure: %v", em.alerts)
	}
	// Events older than the window do not count: five failures 30 s apart.
	f, em = newFilter(t)
	bodies = nil
	for i := range 5 {
		bodies = append(bodies, fail(30*i, "10.0.0.3")) // auditEvent times are id seconds apart
	}
	feed(t, f, "kube.audit", bodies...)
	if len(em.alerts) != 0 {
		t.Errorf("failures spread over 2 minutes raised %v", em.ruleIDs())
	}
}

func TestAuditKeyReadsEmbeddedEvents(t *testing.T) {
	f, em := newFilter(t, "Audit_Key", "log")
	e := auditEvent{id: 3, verb: "create", user: admin[0], resource: "pods", subresource: "attach", namespace: "web", sourceIP: vpcIP}
	asString, _ := json.Marshal(map[string]string{"log": e.json(), "stream": "stdout"})
	asMap := `{"log":` + e.json() + `}`
	e.id = 4
	asMap2 := `{"log":` + e.json() + `}`
	// asMap is the same request as asString (audit ID 3) as a map: read,
	// and alerted on only once; asMap2 is another request.
	feed(t, f, "kube.audit", string(asString), `{"log":"not json"}`, `{"other":1}`, asMap, asMap2)
	if got := em.ruleIDs(); !slices.Equal(got, []string{"K8S-002", "K8S-002"}) {
		t.Errorf("rules fired %v", got)
	}
}

func TestDisableRulesAndAlertTag(t *testing.T) {
	f, em := newFilter(t, "Disable_Rules", "K8S-002", "Alert_Tag", "secops")
	feed(t, f, "kube.audit",
		auditEvent{id: 1, verb: "create", user: admin[0], resource: "pods", subresource: "exec", namespace: "web", sourceIP: vpcIP}.json(),
		auditEvent{id: 2, verb: "list", user: developer[0], resource: "pods", namespace: "web", sourceIP: publicIP}.json())
	if got := em.ruleIDs(); !slices.Equal(got, []string{"K8S-009"}) || em.tags[0] != "secops" {
		t.Errorf("rules %v on tags %v", got, em.tags)
	}
	if _, err := plugintest.TrySettings(Spec(), "Disable_Rules", "NOPE"); err == nil {
		s := plugintest.Settings(t, Spec(), "Disable_Rules", "NOPE")
		s.Emitter = &captureEmitter{}
		if _, err := New(s); err == nil || !strings.Contains(err.Error(), "NOPE") {
			t.Errorf("unknown rule id accepted: %v", err)
		}
	}
}

func TestRulesFileErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"rules: []", "no rules"},
		{"rules:\n  - name: x\n    when: [{field: verb, equals: get}]", "missing id"},
		{"rules:\n  - id: A\n    when: [{field: verb, equals: get}]\n  - id: A\n    when: [{field: verb, equals: get}]", "id used twice"},
		{"rules:\n  - id: A\n    severity: urgent\n    when: [{field: verb, equals: get}]", "severity"},
		{"rules:\n  - id: A", "no `when`"},
		{"rules:\n  - id: A\n    when: [{field: verb}]", "exactly one of"},
		{"rules:\n  - id: A\n    when: [{field: verb, equals: get, prefix: g}]", "exactly one of"},
		{"rules:\n  - id: A\n    when: [{field: verb, regex: '('}]", "regex"},
		{"rules:\n  - id: A\n    when: [{field: 'sourceIPs[0]', cidr: [10.0.0.0/33]}]", "cidr"},
		{"rules:\n  - id: A\n    when: [{field: 'a[x]', equals: b}]", "neither an index"},
		{"rules:\n  - id: A\n    when: [{field: verb, equals: get}]\n    threshold: {count: 1, window: 1m}", "threshold"},
		{"rules:\n  - id: A\n    when: [{field: verb, equals: get}]\n    threshold: {count: 3, window: soon}", "window"},
		{"rules:\n  - id: A\n    wen: [{field: verb, equals: get}]", "wen"},
		{"rules:\n  - id: A\n    source: files\n    when: [{field: verb, equals: get}]", "source"},
	}
	for _, tt := range tests {
		_, err := loadRules([]byte(tt.yaml), "test.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one containing %q", tt.yaml, err, tt.want)
		}
	}
	// Through the plugin: a bad Rules_File is a configuration error naming it.
	path := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(path, []byte("rules: []"), 0o644)
	s := plugintest.Settings(t, Spec(), "Rules_File", path)
	s.Emitter = &captureEmitter{}
	if _, err := New(s); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("bad rules file: %v", err)
	}
}

func TestShippedRulesLoad(t *testing.T) {
	rules, err := loadRules(defaultRules, "default")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 11 {
		t.Errorf("%d shipped rules", len(rules))
	}
}

func BenchmarkBenignEvents(b *testing.B) {
	f, _ := newFilter(b)
	events, n := plugintest.Events(b, benignEvents(256, 2)...)
	b.SetBytes(int64(len(events)))
	b.ReportMetric(float64(n), "records/op")
	b.ReportAllocs()
	var out record.Builder
	for b.Loop() {
		f.Filter("kube.audit", events, &out)
	}
}

// FuzzRules checks that no rules file crashes the loader, and that any rule
// set that loads evaluates a realistic event without panicking.
func FuzzRules(f *testing.F) {
	f.Add(string(defaultRules))
	f.Add("rules:\n  - id: A\n    when: [{field: 'a[*].b', equals: [x, 1]}, {not: {field: c, exists: true}}]")
	f.Add("rules:\n  - id: A\n    when: [{any: [{field: x, cidr: ['::/0']}]}]\n    threshold: {count: 2, window: 1s, group_by: x}")
	ev := auditEvent{id: 1, verb: "create", user: "u", resource: "pods", sourceIP: vpcIP,
		request: pod(map[string]any{"containers": []any{container("x", map[string]any{"privileged": true})}})}.json()
	body, _ := record.AppendJSONAsMsgpack(nil, []byte(ev))
	f.Fuzz(func(t *testing.T, yaml string) {
		// Errors name the rules file; loaded rules have unique ids, match
		// deterministically, and a threshold of count N fires on exactly
		// the Nth event of a group inside its window, reporting N.
		rules, err := loadRules([]byte(yaml), "fuzz")
		if err != nil {
			if !strings.Contains(err.Error(), "rules file fuzz") {
				t.Fatalf("error %q does not name the rules file", err)
			}
			return
		}
		ids := map[string]bool{}
		for _, r := range rules {
			if r.id == "" || ids[r.id] {
				t.Fatalf("rule id %q empty or used twice", r.id)
			}
			ids[r.id] = true
			m := r.matches(body, &evalScratch{})
			if r.matches(body, &evalScratch{}) != m {
				t.Fatalf("rule %s matches, then does not", r.id)
			}
			if th := r.threshold; th != nil && th.count >= 1 && th.count <= 1000 && th.window > 0 {
				for i := 1; i <= th.count; i++ {
					fired, n := th.observe("k", 1)
					if fired != (i == th.count) || (fired && n != th.count) {
						t.Fatalf("rule %s, threshold %d: event %d fired %v with %d", r.id, th.count, i, fired, n)
					}
				}
			}
		}
	})
}
