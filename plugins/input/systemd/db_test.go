package systemd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCursorDB(t *testing.T) {
	const cur = "s=850dc0ae153d476bbf264da17f7236fa;i=2;b=0123456789abcdef0123456789abcdef;m=3e9;t=60a24181e4001;x=5845baf88bf27602"
	for _, tc := range []struct {
		name, content string
		want, warning string
	}{
		{"no file", "", "", ""},
		{"cursor", cur + "\n", cur, ""},
		{"fluent bit sqlite", "SQLite format 3\x00rest", "", "Fluent Bit's SQLite"},
		{"damaged", "s=12", "", "no readable cursor"},
	} {
		path := filepath.Join(t.TempDir(), "systemd.db")
		if tc.content != "" {
			os.WriteFile(path, []byte(tc.content), 0o644)
		}
		db := &cursorDB{path: path, sync: "full"}
		c, warning, err := db.load()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := ""
		if c != nil {
			got = c.String()
		}
		if got != tc.want || !strings.Contains(warning, tc.warning) || (tc.warning == "") != (warning == "") {
			t.Errorf("%s: cursor %q warning %q", tc.name, got, warning)
		}
		if err := db.store(cur); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != cur+"\n" {
			t.Errorf("%s: stored %q", tc.name, b)
		}
	}
}
