package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/sluice-logs/sluice/internal/top"
)

// topCommand is a live terminal view of a running Sluice.
func topCommand(args []string, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("top", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:2020", "monitoring server of the running Sluice")
	interval := fs.Duration("interval", time.Second, "refresh interval")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: sluice top [--url URL] [--interval 1s]

A live view of a running Sluice: records and bytes per second, errors,
retries, abandoned retries, drops and buffer use (of Mem_Buf_Limit) per
input, filter and output. Needs [SERVICE] HTTP_Server On. Press q to quit.
`)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitConfig
	}
	if *interval < 100*time.Millisecond {
		fmt.Fprintln(stderr, "error: --interval must be at least 100ms")
		return exitConfig
	}
	if err := top.Run(*base, *interval); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitRuntime
	}
	return exitOK
}
