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
// and every problem must be a *Error at a position in a file the parse read.
// A fuzzed input is parsed as if it were testdata/include/fuzz.conf, so its
// relative includes reach the include trees under testdata (globs, nested
// includes, cycles, missing files); inputs whose includes point outside
// testdata (an absolute "@INCLUDE /proc/*", or too many "..") are skipped so
// that fuzzing never reads the machine's files.

// fuzzName is where a fuzzed configuration pretends to live.
const fuzzName = "testdata/include/fuzz"

func FuzzParseClassic(f *testing.F) {
	addSeeds(f, ".conf")
	for _, seed := range []string{"@INCLUDE conf.d/*.conf\n", "@INCLUDE ../cycle/a.conf\n", "@INCLUDE ../chain/main.conf\n[INPUT]\n    Name dummy\n",
		"@INCLUDE shared/outputs.conf\n@INCLUDE shared/outputs.conf\n", "@INCLUDE missing/*.conf\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var includes []string
		for line := range strings.Lines(strings.TrimPrefix(string(src), "\uFEFF")) {
			line = strings.TrimRight(line, "\r\n")
			if word, rest := splitWord(strings.TrimPrefix(line, "@")); strings.HasPrefix(line, "@") && strings.ToUpper(word) == "INCLUDE" {
				includes = append(includes, rest)
			}
		}
		skipOutsideTestdata(t, includes)
		m, _, err := ParseClassic(fuzzName+".conf", src)
		checkFuzzResult(t, fuzzName+".conf", m, err)
	})
}

func FuzzParseYAML(f *testing.F) {
	addSeeds(f, ".yaml")
	for _, seed := range []string{"includes:\n  - ../golden/*.yaml\n", "includes: [missing.yaml]\n", "includes: ../cycle\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		includes, ok := yamlIncludes(src)
		if !ok {
			t.Skip("includes written in a form this check cannot read")
		}
		skipOutsideTestdata(t, includes)
		m, _, err := ParseYAML(fuzzName+".yaml", src)
		checkFuzzResult(t, fuzzName+".yaml", m, err)
	})
}

// skipOutsideTestdata skips the input unless every include pattern, taken
// from the fuzzed file's directory as the parser takes it, stays inside
// testdata. (The parser's other fallback, the working directory, is this
// package's directory: harmless to read.)
func skipOutsideTestdata(t *testing.T, includes []string) {
	for _, inc := range includes {
		if filepath.IsAbs(inc) || strings.ContainsAny(inc, "${}\\") {
			t.Skip("include outside testdata")
		}
		rel := filepath.Clean(filepath.Join(filepath.Dir(fuzzName), inc))
		if rel != "testdata" && !strings.HasPrefix(rel, "testdata"+string(filepath.Separator)) {
			t.Skip("include outside testdata")
		}
	}
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

// yamlIncludes returns the entries of src's top-level includes key, however
// spelled (escapes, aliases); ok is false when an entry is not a plain
// scalar, so the caller cannot tell where it points.
func yamlIncludes(src []byte) (entries []string, ok bool) {
	var doc yaml.Node
	if yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc) != nil || len(doc.Content) == 0 {
		return nil, true
	}
	root := deref(doc.Content[0])
	for i := 0; root.Kind == yaml.MappingNode && i+1 < len(root.Content); i += 2 {
		if !strings.EqualFold(deref(root.Content[i]).Value, "includes") {
			continue
		}
		v := deref(root.Content[i+1])
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		for _, item := range items {
			item = deref(item)
			if item.Kind != yaml.ScalarNode {
				return nil, false
			}
			entries = append(entries, item.Value)
		}
	}
	return entries, true
}

func checkFuzzResult(t *testing.T, name string, m *Model, err error) {
	if (m == nil) == (err == nil) {
		t.Fatalf("model %v and error %v: want exactly one", m, err)
	}
	for _, e := range configErrors(t, err) {
		if !readable(e.Pos.File, name) || e.Pos.Line < 0 || e.Msg == "" || e.Error() == "" {
			t.Fatalf("bad error %#v", e)
		}
	}
	if m == nil {
		return
	}
	for _, s := range sectionsOf(m) {
		for _, p := range s.Params {
			if p.Key == "" || !readable(p.Pos.File, name) || p.Pos.Line < 1 || p.Pos.Column < 1 {
				t.Fatalf("bad param %#v in %s section", p, s.Kind)
			}
		}
	}
}

// readable reports whether file is the fuzzed file or one that exists, so
// a position names a file the operator can open.
func readable(file, name string) bool {
	if file == name {
		return true
	}
	info, err := os.Stat(file)
	return err == nil && !info.IsDir()
}
