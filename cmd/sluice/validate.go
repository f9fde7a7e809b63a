package main

import (
	"fmt"
	"io"

	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/metrics"
)

func validateCommand(args []string, stdout, stderr io.Writer) int {
	cl, err := parseCommandLine(args)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitConfig
	}
	if cl.help {
		fmt.Fprint(stdout, `Usage: sluice validate -c FILE [-i/-F/-o quick flags]

Checks a configuration without running it: syntax, includes and variables;
unknown plugins and parameters, and invalid values, each with file:line and
what would be valid; a Match that no input tag can reach; an input whose
records no output takes. Errors go to stderr and exit with status 2;
warnings go to stderr and keep status 0.
`)
		return exitOK
	}
	return validate(cl, stdout, stderr)
}

// validate is shared by `sluice validate` and `sluice run --dry-run`.
func validate(cl *commandLine, stdout, stderr io.Writer) int {
	model, warnings, err := loadModel(cl, false, stderr)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		printConfigError(stderr, err)
		return exitConfig
	}
	logs := logging.NewFactory(io.Discard, "text")
	p, err := buildPipeline(model, logs, metrics.NewRegistry())
	if err != nil {
		printConfigError(stderr, err)
		return exitConfig
	}
	for _, w := range p.Warnings() {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	name := cl.configFile
	if name == "" {
		name = "command-line pipeline"
	}
	fmt.Fprintf(stdout, "%s: configuration is valid\n", name)
	return exitOK
}
