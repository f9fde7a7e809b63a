package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// defaultHealthURL is the health endpoint of the monitoring server at its
// default listen address and port (HTTP_Listen, HTTP_Port).
const defaultHealthURL = "http://127.0.0.1:2020/api/v1/health"

// healthCommand asks a running Sluice's monitoring server whether it is
// healthy, for a container HEALTHCHECK or a Kubernetes exec probe in images
// without a shell or curl.
func healthCommand(args []string, stdout, stderr io.Writer) int {
	url := defaultHealthURL
	switch {
	case len(args) == 1 && (args[0] == "-h" || args[0] == "--help"):
		fmt.Fprintf(stdout, `Usage: sluice health [URL]

Exits 0 when the monitoring server at URL (default %s)
answers 200, and 1 otherwise, printing why. Needs [SERVICE] HTTP_Server On;
with Health_Check On the answer reflects recent output errors and retry failures.
Outputs whose credentials were refused (AccessDenied) are named on stderr,
with the last denial, whatever the answer.
`, defaultHealthURL)
		return exitOK
	case len(args) == 1:
		url = args[0]
	case len(args) > 1:
		fmt.Fprintln(stderr, "error: sluice health takes at most one URL")
		return exitConfig
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitConfig
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "unhealthy: %v; is Sluice running with HTTP_Server On?\n", err)
		return exitRuntime
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	reportDenied(ctx, url, stderr)
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "unhealthy: %s answered %s: %s\n", url, resp.Status, body)
		return exitRuntime
	}
	fmt.Fprintf(stdout, "healthy: %s\n", body)
	return exitOK
}

// reportDenied prints the outputs /api/v1/health/detail lists as refused
// by their destination's access control, so a probe's log says plainly
// that the router lacks a permission. It says nothing when the detail is
// not there (another server, an older Sluice).
func reportDenied(ctx context.Context, url string, stderr io.Writer) {
	if !strings.HasSuffix(url, "/api/v1/health") {
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/detail", nil)
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	var d struct {
		AccessDenied []struct {
			Output string    `json:"output"`
			Count  uint64    `json:"count"`
			Last   string    `json:"last_error"`
			LastAt time.Time `json:"last_at"`
		} `json:"access_denied"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&d) != nil {
		return
	}
	for _, o := range d.AccessDenied {
		fmt.Fprintf(stderr, "access denied: output %s, %d times, last at %s: %s\n", o.Output, o.Count, o.LastAt.Format(time.RFC3339), o.Last)
	}
}
