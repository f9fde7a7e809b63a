// Command sluice is a log router for containers, a drop-in replacement for
// Fluent Bit: it reads Fluent Bit classic and YAML configurations and its
// quick command-line flags.
//
//	sluice -c fluent-bit.conf        run a pipeline (also: sluice run -c FILE)
//	sluice -i dummy -o stdout        run a pipeline from flags
//	sluice validate -c FILE          check a configuration without running it
//	sluice test FILE...              run configuration unit tests
//	sluice iam policy|check|readers  the IAM policies the AWS outputs need
//	sluice plugins [KIND [NAME]]     the built-in plugins and their parameters
//	sluice version                   print the version
//
// main only wires the sub-commands; each lives in its own file.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes.
const (
	exitOK      = 0
	exitRuntime = 1 // the pipeline failed or lost records at shutdown
	exitConfig  = 2 // bad flags or configuration
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one sub-command.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run a pipeline (the default command)", runCommand},
		{"validate", "check a configuration without running it", validateCommand},
		{"test", "run configuration unit tests (records in, expected outputs)", testCommand},
		{"health", "check a running Sluice's health endpoint (for HEALTHCHECK)", healthCommand},
		{"tap", "stream the records passing through a component of a running Sluice", tapCommand},
		{"top", "live terminal view of a running Sluice's throughput, errors and buffers", topCommand},
		{"plugins", "the built-in plugins and their parameters: plugins [--json] [KIND [NAME]]", pluginsCommand},
		{"iam", "least-privilege IAM policies of the AWS outputs: policy, check, readers", iamCommand},
		{"version", "print the version", versionCommand},
		{"help", "print this help", func(_ []string, stdout, _ io.Writer) int { usage(stdout); return exitOK }},
	}
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitConfig
	}
	for _, c := range commands() {
		if args[0] == c.name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	return runCommand(args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `Sluice %s — a log router for containers, compatible with Fluent Bit.

Usage:
  sluice [run] -c FILE              run the pipeline of a classic (.conf) or YAML (.yaml) config
  sluice [run] -i NAME [-p k=v] [-t TAG] [-F NAME -m MATCH] -o NAME [-m MATCH] [-f SECONDS]
  sluice run                        run the embedded default pipeline (dummy -> stdout)
  sluice validate -c FILE           check a configuration; exit 2 on errors, warnings on stderr
  sluice test TESTFILE...           run configuration unit tests
  sluice iam policy -c FILE         the least-privilege IAM policy of the AWS outputs (also: iam check, iam readers)
  sluice plugins output NAME        a plugin's parameters, defaults, valid values and examples (--json)
  sluice version                    print the version

Commands:
`, version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'sluice COMMAND --help' for the flags of a command.
`)
}
