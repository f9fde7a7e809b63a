package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// deployObjects decodes a multi-document manifest strictly into the
// Kubernetes API's own types: an unknown field, a wrong type or a missing
// kind fails, as the API server's validation would. It returns the
// ConfigMaps' data by name.
func deployObjects(t *testing.T, name string, manifest []byte) map[string]map[string]string {
	t.Helper()
	configs := map[string]map[string]string{}
	kinds := map[string]int{}
	for i, doc := range bytes.Split(manifest, []byte("\n---")) {
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatalf("%s document %d: %v", name, i+1, err)
		}
		var obj any
		switch meta.APIVersion + "/" + meta.Kind {
		case "v1/Namespace":
			obj = &corev1.Namespace{}
		case "v1/ServiceAccount":
			obj = &corev1.ServiceAccount{}
		case "v1/ConfigMap":
			obj = &corev1.ConfigMap{}
		case "rbac.authorization.k8s.io/v1/ClusterRole":
			obj = &rbacv1.ClusterRole{}
		case "rbac.authorization.k8s.io/v1/ClusterRoleBinding":
			obj = &rbacv1.ClusterRoleBinding{}
		case "apps/v1/DaemonSet":
			obj = &appsv1.DaemonSet{}
		default:
			t.Fatalf("%s document %d: unexpected %s %s", name, i+1, meta.APIVersion, meta.Kind)
		}
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			t.Fatalf("%s document %d (%s): %v", name, i+1, meta.Kind, err)
		}
		kinds[meta.Kind]++
		switch o := obj.(type) {
		case *corev1.ConfigMap:
			configs[o.Name] = o.Data
		case *appsv1.DaemonSet:
			deployCheckDaemonSet(t, name, o)
		}
	}
	for _, kind := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet"} {
		if kinds[kind] != 1 {
			t.Errorf("%s has %d %s objects, want 1", name, kinds[kind], kind)
		}
	}
	return configs
}

func stripComments(doc []byte) []byte {
	var out []string
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			out = append(out, line)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

// deployCheckDaemonSet checks what the manifests promise: GOMEMLIMIT from
// the memory limit, probes on the monitoring port, a grace period longer
// than Sluice's, and the config mounted where the image reads it.
func deployCheckDaemonSet(t *testing.T, name string, ds *appsv1.DaemonSet) {
	t.Helper()
	pod := ds.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers", name, len(pod.Containers))
	}
	c := pod.Containers[0]
	var memLimit bool
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" && e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil && e.ValueFrom.ResourceFieldRef.Resource == "limits.memory" {
			memLimit = true
		}
	}
	if !memLimit {
		t.Errorf("%s: GOMEMLIMIT is not wired to limits.memory", name)
	}
	if c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Errorf("%s: resources %+v", name, c.Resources)
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/api/v1/health" {
		t.Errorf("%s: liveness probe %+v", name, c.LivenessProbe)
	}
	if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds <= 30 {
		t.Errorf("%s: terminationGracePeriodSeconds must exceed Sluice's Grace of 30 s", name)
	}
	if len(c.Args) > 0 || len(c.Command) > 0 {
		t.Errorf("%s: the container overrides the image's command (%v %v)", name, c.Command, c.Args)
	}
	mounted := false
	for _, m := range c.VolumeMounts {
		mounted = mounted || m.MountPath == "/fluent-bit/etc/fluent-bit.conf"
	}
	if !mounted {
		t.Errorf("%s: the configuration is not mounted at /fluent-bit/etc/fluent-bit.conf", name)
	}
	if pod.ServiceAccountName == "" {
		t.Errorf("%s: no service account (IRSA)", name)
	}
}

// deployValidateConfig runs `sluice validate` on the configuration a
// manifest carries, with the environment the DaemonSet gives it.
func deployValidateConfig(t *testing.T, name, conf string) {
	t.Helper()
	dir := t.TempDir()
	parsers := filepath.Join(dir, "parsers.conf")
	os.WriteFile(parsers, []byte("[PARSER]\n    Name json\n    Format json\n"), 0o644)
	conf = strings.ReplaceAll(conf, "/fluent-bit/etc/parsers.conf", parsers)
	path := writeFile(t, dir, "fluent-bit.conf", conf)
	cmd := exec.Command(sluiceBin, "validate", "-c", path)
	cmd.Env = append(os.Environ(), "AWS_REGION=us-east-1", "CLUSTER_NAME=test", "NODE_NAME=ip-10-0-0-1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s: sluice validate of its configuration failed: %v\n%s", name, err, out)
	}
}

func TestKubernetesManifests(t *testing.T) {
	manifest, err := os.ReadFile("../deploy/kubernetes/sluice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	configs := deployObjects(t, "deploy/kubernetes/sluice.yaml", manifest)
	deployValidateConfig(t, "deploy/kubernetes/sluice.yaml", configs["sluice-config"]["fluent-bit.conf"])
}

// TestHelmChart lints the chart and renders it with helm (installed by
// `make deps` from the Go module proxy into .cache/bin), then checks the
// rendered objects and configuration as for the plain manifests.
func TestHelmChart(t *testing.T) {
	helm, err := filepath.Abs("../.cache/bin/helm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(helm); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("helm is not installed (make deps installs it): %v", err)
		}
		t.Skipf("helm is not installed; run make deps (%v)", err)
	}
	if out, err := exec.Command(helm, "lint", "--strict", "../deploy/helm/sluice").CombinedOutput(); err != nil {
		t.Fatalf("helm lint: %v\n%s", err, out)
	}
	for _, set := range []string{"", "serviceAccount.roleArn=arn:aws:iam::123456789012:role/logs,clusterName=prod,grace=60"} {
		args := []string{"template", "sluice", "../deploy/helm/sluice", "--namespace", "logging"}
		if set != "" {
			args = append(args, "--set", set)
		}
		out, err := exec.Command(helm, args...).Output()
		if err != nil {
			t.Fatalf("helm template %s: %v", set, err)
		}
		name := fmt.Sprintf("helm template --set %q", set)
		configs := deployObjects(t, name, out)
		conf := configs["sluice-config"]["fluent-bit.conf"]
		deployValidateConfig(t, name, conf)
		if set != "" && (!strings.Contains(conf, "/eks/prod/") || !strings.Contains(conf, "Grace                     60")) {
			t.Errorf("%s: values not applied:\n%s", name, conf)
		}
	}
}
