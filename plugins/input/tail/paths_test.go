package tail

import "testing"

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
