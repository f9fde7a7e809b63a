package tail

import (
	"path/filepath"
	"strings"
)

// expandTag replaces each '*' of a Tag with the file's path, its slashes
// turned into dots and leading dots dropped, as Fluent Bit does:
// kube.* with /var/log/containers/app.log gives
// kube.var.log.containers.app.log.
func expandTag(tag, path string) string {
	if !strings.Contains(tag, "*") {
		return tag
	}
	p := strings.TrimLeft(strings.ReplaceAll(path, "/", "."), ".")
	return strings.ReplaceAll(tag, "*", p)
}

// excluded reports whether path matches one of the Exclude_Path patterns,
// tried against the whole path and against the file's base name.
func excluded(patterns []string, path string) bool {
	base := filepath.Base(path)
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, path); ok {
			return true
		}
		if ok, _ := filepath.Match(p, base); ok {
			return true
		}
	}
	return false
}

// watchDir is the directory a pattern's matches live in when it has no
// wildcard before its last element; "" when it has (the directories are
// then watched as matches show them).
func watchDir(pattern string) string {
	dir := filepath.Dir(pattern)
	if strings.ContainsAny(dir, "*?[") {
		return ""
	}
	return dir
}
