package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateReportsErrorsAtFileAndLine runs `sluice validate` on broken
// configurations and checks the exit code and that each problem is named
// with its file:line and a hint.
func TestValidateReportsErrorsAtFileAndLine(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		config   string
		code     int
		want     []string
		warnings []string
	}{
		{
			name: "unknown plugin and parameter",
			file: "bad.conf",
			config: `[INPUT]
    Name  dumy
    Tag   app

[OUTPUT]
    Name    stdout
    Match   *
    Formatt json
`,
			code: 2,
			want: []string{`bad.conf:2:`, `unknown input plugin "dumy"; did you mean "dummy"?`,
				`bad.conf:8:`, `unknown parameter "Formatt"; did you mean "Format"?`},
		},
		{
			name: "invalid values",
			file: "values.conf",
			config: `[INPUT]
    Name           dummy
    Mem_Buf_Limit  lots

[OUTPUT]
    Name         stdout
    Match        *
    Retry_Limit  sometimes
    Format       xml
`,
			code: 2,
			want: []string{`values.conf:3:`, `Mem_Buf_Limit: invalid size "lots"`,
				`values.conf:8:`, `Retry_Limit: invalid value "sometimes"`,
				`values.conf:9:`, `Format: invalid value "xml"; valid values are`},
		},
		{
			name: "unreachable match and unrouted input",
			file: "routes.conf",
			config: `[INPUT]
    Name  dummy
    Tag   app.web

[OUTPUT]
    Name   stdout
    Match  security.*
`,
			code:     0,
			warnings: []string{`routes.conf:5:`, `Match security.* matches no input tag (app.web)`, `routes.conf:1:`, `no output matches tag "app.web"`},
		},
		{
			name: "yaml unknown parameter",
			file: "bad.yaml",
			config: `pipeline:
  inputs:
    - name: dummy
      tag: app
  outputs:
    - name: stdout
      match: '*'
      formt: json
`,
			code: 2,
			want: []string{`bad.yaml:8:`, `unknown parameter "formt"; did you mean "Format"?`},
		},
		{
			name: "valid",
			file: "good.conf",
			config: `[INPUT]
    Name  dummy
    Tag   app

[OUTPUT]
    Name   stdout
    Match  app
`,
			code: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, tt.file, tt.config)
			stdout, stderr, code := run(t, "validate", "-c", path)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			for _, want := range append(tt.want, tt.warnings...) {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if tt.code == 0 && !strings.Contains(stdout, "configuration is valid") {
				t.Errorf("stdout: %s", stdout)
			}
			if tt.code == 0 && len(tt.warnings) == 0 && strings.Contains(stderr, "warning") {
				t.Errorf("unexpected warnings: %s", stderr)
			}
		})
	}
}

// TestValidateEveryExample keeps the shipped examples valid.
func TestValidateEveryExample(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.conf")
	yamls, _ := filepath.Glob("../examples/*.yaml")
	files = append(files, yamls...)
	if len(files) == 0 {
		t.Fatal("no examples found")
	}
	for _, f := range files {
		stdout, stderr, code := run(t, "validate", "-c", f)
		if code != 0 || strings.Contains(stderr, "warning") {
			t.Errorf("%s: exit %d\n%s%s", f, code, stdout, stderr)
		}
	}
}
