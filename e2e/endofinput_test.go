package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStdinEndOfFileStopsSluice: `producer | sluice -i stdin -o ...` ends by
// itself once the producer is done, as Fluent Bit does: every record read
// is delivered (Flush is an hour, so only the shutdown flush can deliver
// them) and the exit code is 0.
func TestStdinEndOfFileStopsSluice(t *testing.T) {
	const n = 5000
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush  3600
    Grace  10

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name   file
    Match  *
    Path   %s
    File   app.log
    Format plain
    Mkdir  On
`, out))
	p := startEOF(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code %d at the end of standard input; stderr:\n%s", code, p.stderr.String())
	}
	checkSequence(t, jsonLines(t, filepath.Join(out, "app.log")), "seq", n)
	if !strings.Contains(p.stderr.String(), "input finished; stopping Sluice") {
		t.Errorf("no log line says why Sluice stopped; stderr:\n%s", p.stderr.String())
	}
}

// TestStdinQuickFlagsPrintAndExit is the first command a Fluent Bit user
// tries: `echo '{"a":1}' | sluice -i stdin -o stdout` prints the record and
// returns.
func TestStdinQuickFlagsPrintAndExit(t *testing.T) {
	p := startEOF(t, strings.NewReader(`{"greeting":"hello"}`+"\n"), "-i", "stdin", "-o", "stdout", "-f", "3600")
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, p.stderr.String())
	}
	if got := p.stdout.String(); !strings.Contains(got, `"greeting"=>"hello"`) {
		t.Fatalf("stdout lacks the record:\n%s", got)
	}
}

// TestTailExitOnEOFStopsSluice: a tail input with Exit_On_Eof reads every
// file to its end, Sluice delivers what was read, and exits 0 — the batch
// job form of Fluent Bit.
func TestTailExitOnEOFStopsSluice(t *testing.T) {
	const perFile = 3000
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.log", "b.log"} {
		var b strings.Builder
		for i := 0; i < perFile; i++ {
			fmt.Fprintf(&b, "%s line %d\n", name, i)
		}
		writeFile(t, logs, name, b.String())
	}
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush  3600
    Grace  10

[INPUT]
    Name            tail
    Path            %s/*.log
    Read_from_Head  On
    Exit_On_Eof     On
    Tag             batch

[OUTPUT]
    Name   file
    Match  *
    Path   %s
    File   batch.log
    Format plain
    Mkdir  On
`, logs, out))
	p := start(t, nil, "-c", cfg)
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code %d after Exit_On_Eof; stderr:\n%s", code, p.stderr.String())
	}
	got := map[string]int{}
	for _, r := range jsonLines(t, filepath.Join(out, "batch.log")) {
		got[fmt.Sprint(r["log"])]++
	}
	for _, name := range []string{"a.log", "b.log"} {
		for i := 0; i < perFile; i++ {
			if line := fmt.Sprintf("%s line %d", name, i); got[line] != 1 {
				t.Fatalf("%q arrived %d times, want once (%d distinct lines in all)", line, got[line], len(got))
			}
		}
	}
}

// TestExecWrapsACommand: exec with Exit_After_Oneshot runs Sluice as a
// wrapper of a batch command, as Fluent Bit allows: every line the command
// printed is delivered, then Sluice exits — with the command's exit code
// when Propagate_Exit_Code is on.
func TestExecWrapsACommand(t *testing.T) {
	for _, tc := range []struct {
		name      string
		propagate string
		wantCode  int
	}{
		{"exit code kept", "Off", 0},
		{"exit code passed on", "On", 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush         3600
    Grace         10
    Parsers_File  parsers.conf

[INPUT]
    Name                 exec
    Tag                  job
    Command              for i in $(seq 0 999); do echo "{\"seq\":$i}"; done; exit 7
    Parser               json
    Exit_After_Oneshot   On
    Propagate_Exit_Code  %s

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    job.log
    Format  plain
    Mkdir   On
`, tc.propagate, out))
			p := start(t, nil, "-c", cfg)
			if code := p.wait(30 * time.Second); code != tc.wantCode {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tc.wantCode, p.stderr.String())
			}
			checkSequence(t, jsonLines(t, filepath.Join(out, "job.log")), "seq", 1000)
		})
	}
}
