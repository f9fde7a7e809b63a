//go:build pprofdebug

package main

import (
	"net/http"
	_ "net/http/pprof" // the profiling endpoints, in this debug build only
	"os"
)

// With `go build -tags pprofdebug`, SLUICE_PPROF=host:port serves
// net/http/pprof, for profiling whole-process benchmarks (BENCHMARKS.md).
// Release builds do not contain it.
func init() {
	if addr := os.Getenv("SLUICE_PPROF"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
