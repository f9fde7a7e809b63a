//go:build pprof

package main

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

// A binary built with -tags pprof serves net/http/pprof on the address in
// SLUICE_PPROF (e.g. 127.0.0.1:6060): for profiling memory and CPU of a
// running pipeline (see BENCHMARKS.md). Release builds leave it out.
func init() {
	if addr := os.Getenv("SLUICE_PPROF"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
