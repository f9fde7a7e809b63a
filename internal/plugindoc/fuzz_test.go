package plugindoc

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParamTable renders a parameter with arbitrary Doc, Default and
// Options and checks the table row stays one row of four cells: any text
// a Spec holds must not break the generated Markdown.
func FuzzParamTable(f *testing.F) {
	f.Add("tag pattern (with * wildcards) of <plugin>.<n>", "{time} {message}", "a|b")
	f.Add("out_file writes `tag: [time, {json}]`", "`", "``")
	f.Add("line one\nline two | three", "x\ny", "\\")
	f.Add(`a\|b \\| c`, `d\|`, `\\\|`)
	f.Fuzz(func(t *testing.T, doc, def, opt string) {
		var b bytes.Buffer
		paramTable(&b, []Param{{Name: "p", Type: "string", Default: def, Options: []string{opt}, Doc: doc}})
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("table of one parameter has %d lines:\n%s", len(lines), b.String())
		}
		if n := cellSeparators(lines[2]); n != 5 {
			t.Fatalf("row has %d cell separators, want 5: %q", n, lines[2])
		}
	})
}

// cellSeparators counts the pipes of a table row that are not escaped.
func cellSeparators(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++ // the next byte is escaped
		case '|':
			n++
		}
	}
	return n
}
