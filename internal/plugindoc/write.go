package plugindoc

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// generatedTree is the folder, under the docs directory, that holds only
// generated files: WriteDir removes what it did not generate there (a
// plugin that was removed or renamed), and Diff reports it.
const generatedTree = "plugins"

// WriteDir writes files (see Markdown) under dir, creating folders, and
// removes the Markdown files of dir/plugins it did not write. Files
// elsewhere under dir are left alone.
func WriteDir(dir string, files map[string][]byte) error {
	for _, name := range sortedNames(files) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("plugin docs: %w", err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("plugin docs: %w", err)
		}
	}
	extra, err := extraFiles(dir, files)
	if err != nil {
		return err
	}
	for _, name := range extra {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			return fmt.Errorf("plugin docs: removing stale %s: %w", name, err)
		}
	}
	return nil
}

// Diff compares dir with files and returns the slash-separated names that
// differ: missing or changed files, and Markdown files under dir/plugins
// that files does not hold. It is empty when dir is up to date.
func Diff(dir string, files map[string][]byte) ([]string, error) {
	var out []string
	for _, name := range sortedNames(files) {
		have, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			out = append(out, name+" (missing)")
		case err != nil:
			return nil, fmt.Errorf("plugin docs: %w", err)
		case !bytes.Equal(have, files[name]):
			out = append(out, name+" (differs)")
		}
	}
	extra, err := extraFiles(dir, files)
	if err != nil {
		return nil, err
	}
	for _, name := range extra {
		out = append(out, name+" (not generated: stale)")
	}
	return out, nil
}

// extraFiles lists the Markdown files under dir/plugins that files lacks.
func extraFiles(dir string, files map[string][]byte) ([]string, error) {
	var extra []string
	root := filepath.Join(dir, generatedTree)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if name := filepath.ToSlash(rel); files[name] == nil {
			extra = append(extra, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plugin docs: %w", err)
	}
	return extra, nil
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
