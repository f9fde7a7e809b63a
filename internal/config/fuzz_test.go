package config

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The parsers must never panic, must return a model or an error, never both,
// and every problem must be a *Error inside the parsed file. Inputs that
// include other files are skipped: a fuzzed "@INCLUDE /proc/*" would read
// the machine's files.

func FuzzParseClassic(f *testing.F) {
	addSeeds(f, ".conf")
	f.Fuzz(func(t *testing.T, src []byte) {
		for line := range strings.Lines(strings.TrimPrefix(string(src), "\uFEFF")) {
			line = strings.TrimRight(line, "\r\n")
			if word, _ := splitWord(strings.TrimPrefix(line, "@")); strings.HasPrefix(line, "@") && strings.ToUpper(word) == "INCLUDE" {
				t.Skip("includes other files")
			}
		}
		m, _, err := ParseClassic("fuzz.conf", src)
		checkFuzzResult(t, "fuzz.conf", m, err)
	})
}

func FuzzParseYAML(f *testing.F) {
	addSeeds(f, ".yaml")
	f.Fuzz(func(t *testing.T, src []byte) {
		if yamlIncludes(src) {
			t.Skip("includes other files")
		}
		m, _, err := ParseYAML("fuzz.yaml", src)
		checkFuzzResult(t, "fuzz.yaml", m, err)
	})
}

// addSeeds adds every testdata file with the extension as a seed.
func addSeeds(f *testing.F, ext string) {
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ext {
			return err
		}
		src, err := os.ReadFile(path)
		if err == nil {
			f.Add(src)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
}

// yamlIncludes reports whether src has a top-level includes key, however
// spelled (escapes, aliases).
func yamlIncludes(src []byte) bool {
	var doc yaml.Node
	if yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc) != nil || len(doc.Content) == 0 {
		return false
	}
	root := deref(doc.Content[0])
	for i := 0; root.Kind == yaml.MappingNode && i+1 < len(root.Content); i += 2 {
		if strings.EqualFold(deref(root.Content[i]).Value, "includes") {
			return true
		}
	}
	return false
}

func checkFuzzResult(t *testing.T, name string, m *Model, err error) {
	if (m == nil) == (err == nil) {
		t.Fatalf("model %v and error %v: want exactly one", m, err)
	}
	for _, e := range configErrors(t, err) {
		if e.Pos.File != name || e.Pos.Line < 0 || e.Msg == "" || e.Error() == "" {
			t.Fatalf("bad error %#v", e)
		}
	}
	if m == nil {
		return
	}
	for _, s := range sectionsOf(m) {
		for _, p := range s.Params {
			if p.Key == "" || p.Pos.File != name || p.Pos.Line < 1 || p.Pos.Column < 1 {
				t.Fatalf("bad param %#v in %s section", p, s.Kind)
			}
		}
	}
}
