package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSluiceTestRunsTheExamplesTests runs every configuration unit test
// shipped under examples/tests through the binary.
func TestSluiceTestRunsTheExamplesTests(t *testing.T) {
	files, _ := filepath.Glob("../examples/tests/*.yaml")
	if len(files) == 0 {
		t.Fatal("no example tests found")
	}
	stdout, stderr, code := run(t, append([]string{"test"}, files...)...)
	if code != 0 || !strings.Contains(stdout, " 0 failed") {
		t.Fatalf("sluice test exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestSluiceTestReportsAFailure checks the failing path: exit status 1 and
// a message that names the output, what was expected and what arrived.
func TestSluiceTestReportsAFailure(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipeline.conf", `
[INPUT]
    Name  dummy
    Tag   app.web

[FILTER]
    Name   redact
    Match  app.*

[OUTPUT]
    Name   stdout
    Alias  developers
    Match  app.*
`)
	test := writeFile(t, dir, "pipeline_test.yaml", `
config: pipeline.conf
tests:
  - name: passwords are kept (wrong on purpose)
    inputs:
      - tag: app.web
        records: [{log: "password=hunter2"}]
    expect:
      - output: developers
        records: [{log: "password=hunter2"}]
  - name: passwords are masked
    inputs:
      - tag: app.web
        records: [{log: "password=hunter2"}]
    expect:
      - output: developers
        count: 1
        records: [{log: "password=[REDACTED:password]"}]
`)
	stdout, stderr, code := run(t, "test", test)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"FAIL  " + test + ": passwords are kept (wrong on purpose)",
		`output developers: record 1: key log is "password=[REDACTED:password]", want "password=hunter2"`,
		"PASS  " + test + ": passwords are masked",
		"1 passed, 1 failed",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// A test file naming a broken configuration is a usage error: exit 2.
	bad := writeFile(t, dir, "bad_test.yaml", "config: missing.conf\ntests: [{name: a}]\n")
	if _, stderr, code := run(t, "test", bad); code != 2 || !strings.Contains(stderr, "missing.conf") {
		t.Errorf("broken config: exit %d, stderr %s", code, stderr)
	}
}
