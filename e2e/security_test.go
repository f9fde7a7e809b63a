package e2e

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// secAuditEvent is one audit.k8s.io/v1 event line as EKS writes it.
func secAuditEvent(id int, verb, user, resource, subresource, namespace, ip string) string {
	return fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-%d","stage":"ResponseComplete",`+
		`"requestURI":"/api/v1/namespaces/%s/%s","verb":%q,"user":{"username":%q,"groups":["system:authenticated"]},`+
		`"sourceIPs":[%q],"userAgent":"kubectl/v1.29.3","objectRef":{"resource":%q,"subresource":%q,"namespace":%q,"name":"x"},`+
		`"responseStatus":{"code":200},"requestReceivedTimestamp":"2024-05-01T12:00:%02dZ","stageTimestamp":"2024-05-01T12:00:%02dZ"}`,
		id, namespace, resource, verb, user, ip, resource, subresource, namespace, id%60, id%60)
}

// TestSecurityRoutingRedactsAppLogsAndAlertsOnAudit runs the seed scenario
// in small: application logs and Kubernetes audit events enter the same
// router; application logs lose their secrets and go to the developers'
// file; audit events go unchanged to the security file, and the alerts the
// k8s_audit rules raise arrive on their own tag in a third.
func TestSecurityRoutingRedactsAppLogsAndAlertsOnAudit(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  5

[INPUT]
    Name  stdin
    Tag   kube.audit

[INPUT]
    Name     dummy
    Tag      app.web
    Dummy    {"log": "login ok user=bob password=hunter2 key=AKIAIOSFODNN7EXAMPLE"}
    Samples  3
    Rate     100

[FILTER]
    Name   redact
    Match  app.*

[FILTER]
    Name       k8s_audit
    Match      kube.audit
    Alert_Tag  security.alerts

[OUTPUT]
    Name    file
    Match   app.*
    Path    %[1]s
    File    app.log
    Format  plain
    Mkdir   On

[OUTPUT]
    Name    file
    Match   kube.audit
    Path    %[1]s
    File    audit.log
    Format  plain
    Mkdir   On

[OUTPUT]
    Name    file
    Match   security.*
    Path    %[1]s
    File    alerts.log
    Format  plain
    Mkdir   On
`, out))
	const benign = 200
	var in strings.Builder
	for i := range benign {
		fmt.Fprintln(&in, secAuditEvent(i, "list", "arn:aws:sts::123456789012:assumed-role/developer/alice", "pods", "", "web", "10.0.1.2"))
	}
	fmt.Fprintln(&in, secAuditEvent(1000, "create", "kubernetes-admin", "pods", "exec", "payments", "10.0.1.3"))
	fmt.Fprintln(&in, secAuditEvent(1001, "get", "arn:aws:sts::123456789012:assumed-role/developer/alice", "secrets", "", "payments", "10.0.1.2"))
	fmt.Fprintln(&in, secAuditEvent(1002, "list", "arn:aws:sts::123456789012:assumed-role/developer/mallory", "pods", "", "web", "198.51.100.7"))
	p := start(t, strings.NewReader(in.String()), "-c", cfg)

	audit := filepath.Join(out, "audit.log")
	alerts := filepath.Join(out, "alerts.log")
	app := filepath.Join(out, "app.log")
	eventually(t, 20*time.Second, "audit events, alerts and app logs", func() bool {
		return len(jsonLines(t, audit)) >= benign+3 && len(jsonLines(t, alerts)) >= 3 && len(jsonLines(t, app)) >= 3
	})
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	if got := jsonLines(t, audit); len(got) != benign+3 {
		t.Errorf("audit.log has %d events, want %d: the raw events must all flow on", len(got), benign+3)
	}
	var rules []string
	for _, a := range jsonLines(t, alerts) {
		rules = append(rules, fmt.Sprint(a["rule_id"]))
		if a["source_tag"] != "kube.audit" || a["alert"] != "k8s_audit" {
			t.Errorf("alert %v", a)
		}
	}
	slices.Sort(rules)
	if want := []string{"K8S-002", "K8S-004", "K8S-009"}; !slices.Equal(rules, want) {
		t.Errorf("alerts %v, want %v", rules, want)
	}
	for _, r := range jsonLines(t, app) {
		msg := fmt.Sprint(r["log"])
		if strings.Contains(msg, "hunter2") || strings.Contains(msg, "AKIAIOSFODNN7EXAMPLE") ||
			!strings.Contains(msg, "[REDACTED:password]") || !strings.Contains(msg, "[REDACTED:aws_access_key_id]") {
			t.Errorf("app log not redacted: %s", msg)
		}
	}
}

// TestAnomalyFilterAlertsOnABurst feeds a steady trickle of records through
// stdin, then a burst, and checks that one rate_spike alert arrives on the
// alert tag while every record flows on.
func TestAnomalyFilterAlertsOnABurst(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush  0.2
    Grace  5

[INPUT]
    Name  stdin
    Tag   app.api

[FILTER]
    Name       anomaly
    Match      app.*
    Interval   1s
    Warmup     3
    Alert_Tag  ops.anomaly

[OUTPUT]
    Name    file
    Match   app.*
    Path    %[1]s
    File    app.log
    Format  plain
    Mkdir   On

[OUTPUT]
    Name    file
    Match   ops.*
    Path    %[1]s
    File    alerts.log
    Format  plain
    Mkdir   On
`, out))
	pr, pw := io.Pipe()
	p := start(t, pr, "-c", cfg)
	seq := 0
	send := func(n int) {
		var b strings.Builder
		for range n {
			fmt.Fprintf(&b, `{"seq":%d}`+"\n", seq)
			seq++
		}
		if _, err := io.WriteString(pw, b.String()); err != nil {
			t.Fatal(err)
		}
	}
	// Five records a second for five seconds, a burst of 500, then one
	// more second of trickle so the burst's interval closes.
	for range 5 {
		send(5)
		time.Sleep(time.Second)
	}
	send(500)
	time.Sleep(1100 * time.Millisecond)
	send(5)
	eventually(t, 20*time.Second, "every record and the alert", func() bool {
		return len(jsonLines(t, filepath.Join(out, "app.log"))) >= seq && len(jsonLines(t, filepath.Join(out, "alerts.log"))) >= 1
	})
	pw.Close()
	if code := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	alerts := jsonLines(t, filepath.Join(out, "alerts.log"))
	if len(alerts) != 1 || alerts[0]["kind"] != "rate_spike" || alerts[0]["source"] != "app.api" {
		t.Errorf("alerts %v, want one rate_spike for app.api", alerts)
	}
	checkSequence(t, jsonLines(t, filepath.Join(out, "app.log")), "seq", seq)
}

// TestSecurityRoutingExample checks the shipped example of the seed
// scenario: it validates, and `sluice iam readers` gives each team a
// read-only policy on exactly its own log groups.
func TestSecurityRoutingExample(t *testing.T) {
	const conf = "../examples/security-routing/fluent-bit.conf"
	if _, stderr, code := run(t, "validate", "-c", conf); code != 0 {
		t.Fatalf("validate: exit %d: %s", code, stderr)
	}
	stdout, stderr, code := run(t, "iam", "readers", "-c", conf, "--region", "us-east-1", "--account", "123456789012")
	if code != 0 {
		t.Fatalf("iam readers: exit %d: %s", code, stderr)
	}
	dev, sec, ok := strings.Cut(stdout, "// team secops")
	if !ok || !strings.Contains(dev, "// team developers") {
		t.Fatalf("readers output lacks the two teams:\n%s", stdout)
	}
	for _, want := range []string{"log-group:/app/*:*", "logs:GetLogEvents"} {
		if !strings.Contains(dev, want) {
			t.Errorf("developers' policy lacks %s:\n%s", want, dev)
		}
	}
	for _, want := range []string{"log-group:/security/alerts:*", "log-group:/security/events:*"} {
		if !strings.Contains(sec, want) {
			t.Errorf("secops' policy lacks %s:\n%s", want, sec)
		}
		if strings.Contains(dev, want) {
			t.Errorf("developers may read %s", want)
		}
	}
	if strings.Contains(sec, "/app/") {
		t.Errorf("secops' policy covers the application log groups:\n%s", sec)
	}
}
