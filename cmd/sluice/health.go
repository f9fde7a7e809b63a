package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "unhealthy: %s answered %s: %s\n", url, resp.Status, body)
		return exitRuntime
	}
	fmt.Fprintf(stdout, "healthy: %s\n", body)
	return exitOK
}
