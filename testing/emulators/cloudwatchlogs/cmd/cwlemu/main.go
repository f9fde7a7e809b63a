// Command cwlemu runs Sluice's CloudWatch Logs emulator on a TCP address,
// for examples and benchmarks: point an output's endpoint at the URL it
// prints. Faults can be changed while it runs through PUT /_emulator/faults.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sluice-logs/sluice/internal/iam"
	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4588", "address to listen on")
	throttle := flag.Float64("throttle", 0, "fraction of calls answered ThrottlingException")
	errRate := flag.Float64("error-rate", 0, "fraction of calls answered 503 ServiceUnavailableException")
	latency := flag.Duration("latency", 0, "delay added to every answer")
	deny := flag.String("deny", "", "comma-separated log groups whose calls get AccessDeniedException")
	seqTokens := flag.Bool("require-sequence-token", false, "enforce the legacy sequence-token protocol")
	accessKey := flag.String("access-key", "", "the only access key accepted (any when empty)")
	secretKey := flag.String("secret-key", "", "with -access-key, verify every request's SigV4 signature with this secret")
	policy := flag.String("policy", "", "IAM policy document (JSON) that authorises every call (policy mode)")
	flag.Parse()

	run, err := cwlemu.Start(*addr, cwlemu.Options{RequireSequenceToken: *seqTokens, AccessKeyID: *accessKey, SecretAccessKey: *secretKey, Seed: time.Now().UnixNano()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f := cwlemu.Faults{ThrottleRate: *throttle, ErrorRate: *errRate, Latency: *latency}
	if *deny != "" {
		f.DenyGroups = strings.Split(*deny, ",")
	}
	run.SetFaults(f)
	if *policy != "" {
		src, err := os.ReadFile(*policy)
		if err == nil {
			var docs []*iam.Document
			if docs, err = cwlemu.ParsePolicies(*policy, src); err == nil {
				run.SetPolicy(docs)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	fmt.Printf("CloudWatch Logs emulator listening on %s\n", run.URL)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	run.Close()
}
