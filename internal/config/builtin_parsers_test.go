package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParsersFileFallsBackToShippedCopy(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "fluent-bit.conf")
	src := "[SERVICE]\n    Parsers_File parsers.conf\n    Parsers_File /fluent-bit/parsers/parsers.conf\n[INPUT]\n    Name dummy\n"
	if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, _, err := Load(main)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, s := range m.Parsers {
		names[s.Name()]++
	}
	if names["apache"] != 2 || names["cri"] != 2 {
		t.Errorf("shipped parsers not loaded twice: %v", names)
	}
	if !strings.Contains(strings.Join(m.Files, " "), "embedded:parsers.conf") {
		t.Errorf("Files = %v", m.Files)
	}
	// A parsers file the user wrote elsewhere is never replaced.
	if err := os.WriteFile(main, []byte("[SERVICE]\n    Parsers_File my-parsers.conf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(main); err == nil || !strings.Contains(err.Error(), "my-parsers.conf") {
		t.Errorf("missing my-parsers.conf must be an error, got %v", err)
	}
	// A file on disk wins over the shipped copy.
	if err := os.WriteFile(filepath.Join(dir, "parsers.conf"), []byte("[PARSER]\n    Name mine\n    Format json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mm := &Model{Files: []string{main}}
	if _, err = LoadParsersFile("parsers.conf", mm); err != nil || len(mm.Parsers) != 1 || mm.Parsers[0].Name() != "mine" {
		t.Errorf("parsers.conf on disk: %v, %v", err, mm.Parsers)
	}
}
