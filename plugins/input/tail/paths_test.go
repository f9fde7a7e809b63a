package tail

import (
	"github.com/sluice-logs/sluice/internal/regex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExpandTag(t *testing.T) {
	tests := []struct{ tag, path, want string }{
		{"kube.*", "/var/log/containers/app_ns_c-123.log", "kube.var.log.containers.app_ns_c-123.log"},
		{"app", "/var/log/a.log", "app"},
		{"*", "/a/b", "a.b"},
		{"x.*.y", "rel/dir/f.log", "x.rel.dir.f.log.y"},
	}
	for _, tt := range tests {
		if got := expandTag(tt.tag, tt.path); got != tt.want {
			t.Errorf("expandTag(%q, %q) = %q, want %q", tt.tag, tt.path, got, tt.want)
		}
	}
}

func TestExcluded(t *testing.T) {
	pats := []string{"*.gz", "/var/log/secret/*", "*_kube-system_*"}
	tests := []struct {
		path string
		want bool
	}{
		{"/var/log/app.log.1.gz", true},
		{"/var/log/secret/x.log", true},
		{"/var/log/containers/dns_kube-system_coredns.log", true},
		{"/var/log/app.log", false},
	}
	for _, tt := range tests {
		if got := excluded(pats, tt.path); got != tt.want {
			t.Errorf("excluded(%q) = %v", tt.path, got)
		}
	}
}

func TestTagRegex(t *testing.T) {
	r := &tagRegex{re: regex.MustCompile(`(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<docker_id>[a-z0-9]{64})\.log$`)}
	path := "/var/log/containers/web-7d9f_prod_nginx-" + strings.Repeat("a", 64) + ".log"
	tests := []struct{ tag, path, want string }{
		{"kube.<namespace_name>.<pod_name>.<container_name>", path, "kube.prod.web-7d9f.nginx"},
		{"kube.<unknown>.<pod_name>", path, "kube.<unknown>.web-7d9f"},
		{"kube.<pod_name>", "/var/log/other.log", "kube.<pod_name>"},
		{"plain", path, "plain"},
		{"broken.<pod_name", path, "broken.<pod_name"},
	}
	for _, tt := range tests {
		if got := r.expand(tt.tag, tt.path); got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.tag, got, tt.want)
		}
	}
}

func TestWatchDirs(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"pods/a/c1", "pods/a/c2", "pods/b/c1"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "pods", "file"), nil, 0o644)
	got := watchDirs(filepath.Join(dir, "pods", "*", "*", "*.log"))
	rel := func(ps []string) string {
		var out []string
		for _, p := range ps {
			r, _ := filepath.Rel(dir, p)
			out = append(out, r)
		}
		return strings.Join(out, " ")
	}
	if want := "pods pods/a pods/b pods/a/c1 pods/a/c2 pods/b/c1"; rel(got) != want {
		t.Errorf("watchDirs = %q, want %q", rel(got), want)
	}
	if got := watchDirs("/var/log/containers/*.log"); strings.Join(got, " ") != "/var/log/containers" {
		t.Errorf("literal directory: %q", got)
	}
}
