package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/sluice-logs/sluice/internal/configtest"
	"github.com/sluice-logs/sluice/plugins/all"
)

func testCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, `Usage: sluice test TESTFILE...

Runs configuration unit tests: each test file names a configuration, the
records to put in under which tags, and what each output must receive.
Filters and routing run as configured; inputs and outputs are stand-ins, so
nothing is sent anywhere. The file format is documented in
internal/configtest (and examples/tests/ holds examples). Globs are expanded.
Exit status: 0 all passed, 1 a test failed, 2 a file or configuration is invalid.
`)
		if len(args) == 0 {
			return exitConfig
		}
		return exitOK
	}
	var files []string
	for _, a := range args {
		matches, err := filepath.Glob(a)
		if err != nil || len(matches) == 0 {
			matches = []string{a}
		}
		files = append(files, matches...)
	}
	runner := &configtest.Runner{Specs: all.Specs()}
	passed, failed := 0, 0
	for _, path := range files {
		f, err := configtest.Load(path)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitConfig
		}
		results, err := runner.Run(f)
		if err != nil {
			printConfigError(stderr, err)
			return exitConfig
		}
		for _, r := range results {
			if r.Passed() {
				passed++
				fmt.Fprintf(stdout, "PASS  %s: %s\n", r.File, r.Name)
				continue
			}
			failed++
			fmt.Fprintf(stdout, "FAIL  %s: %s\n", r.File, r.Name)
			for _, msg := range r.Failures {
				fmt.Fprintf(stdout, "      %s\n", msg)
			}
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return exitRuntime
	}
	return exitOK
}
