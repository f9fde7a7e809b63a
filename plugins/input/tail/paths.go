package tail

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluice-logs/sluice/internal/regex"
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

// tagRegex is Tag_Regex: the groups it captures from a path fill Tag's
// <name> placeholders.
type tagRegex struct {
	re     *regex.Regexp
	logger *slog.Logger
}

// expand returns tag with each <name> replaced by the named group's value
// in path. When the regex does not match (or its match gave up), tag is
// returned with its placeholders as written, as Fluent Bit does.
func (r *tagRegex) expand(tag, path string) string {
	m, err := r.re.FindStringSubmatchIndex(path)
	regex.LogTimeout(r.logger, err)
	if m == nil {
		return tag
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(tag, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tag[open:], '>')
		if end < 0 {
			break
		}
		name := tag[open+1 : open+end]
		b.WriteString(tag[:open])
		if i := r.re.SubexpIndex(name); i > 0 && m[2*i] >= 0 {
			b.WriteString(path[m[2*i]:m[2*i+1]])
		} else {
			b.WriteString(tag[open : open+end+1])
		}
		tag = tag[open+end+1:]
	}
	b.WriteString(tag)
	return b.String()
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

// watchDirs are the directories to watch for a pattern: every directory
// its directory part matches, level by level, from the last one without a
// wildcard down (/var/log/pods/*/*/*.log watches /var/log/pods, each pod's
// directory and each container's), so that a file created in a directory
// created after start-up is still noticed by an event.
func watchDirs(pattern string) []string {
	dir := filepath.Dir(pattern)
	if !strings.ContainsAny(dir, "*?[") {
		return []string{dir}
	}
	parts := strings.Split(dir, string(filepath.Separator))
	var out []string
	prefix := ""
	for i, part := range parts {
		if i == 0 {
			prefix = part
			if prefix == "" {
				prefix = string(filepath.Separator)
			}
		} else {
			prefix = filepath.Join(prefix, part)
		}
		if !strings.ContainsAny(prefix, "*?[") {
			if i+1 < len(parts) && !strings.ContainsAny(filepath.Join(prefix, parts[i+1]), "*?[") {
				continue // a deeper literal directory is watched instead
			}
			out = append(out, prefix)
			continue
		}
		matches, _ := filepath.Glob(prefix)
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.IsDir() {
				out = append(out, m)
			}
		}
	}
	return out
}
