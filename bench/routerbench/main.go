// Command routerbench runs whole log-router processes on generated
// workloads and prints, per scenario and router, records/s, MB/s, CPU
// seconds per GB, records per CPU second and peak RSS. It drives any
// Fluent Bit-compatible router the same way: each scenario is a classic
// Fluent Bit configuration that uses only parameters Fluent Bit has, the
// input is fed from outside the process (a pipe, a file, a forward
// client), and completion is read from the router's own monitoring API
// (/api/v1/metrics, which Fluent Bit and Sluice both serve).
//
//	go run ./bench/routerbench -router sluice=bin/sluice -router fluent-bit=/opt/fluent-bit/bin/fluent-bit
//
// `make bench` builds Sluice and runs every scenario with it.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// routerFlag collects -router NAME=PATH.
type routerFlag []router

type router struct{ name, path string }

func (r *routerFlag) String() string { return fmt.Sprint(*r) }

func (r *routerFlag) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok {
		name, path = v, v
	}
	*r = append(*r, router{name, path})
	return nil
}

func main() {
	var routers routerFlag
	flag.Var(&routers, "router", "NAME=PATH of a router binary to run (repeat to compare); default sluice=bin/sluice")
	only := flag.String("scenarios", "", "comma-separated scenario names to run (default: all)")
	records := flag.Int("n", 500_000, "records per throughput scenario")
	size := flag.Int("size", 250, "bytes per generated log line")
	rateSeconds := flag.Duration("rate-duration", 20*time.Second, "length of the fixed-rate scenarios")
	flag.DurationVar(&traceEvery, "trace", 0, "print the router's memory (VmRSS, RssAnon, RssFile, VmHWM) to stderr at this interval, and its stderr after the run")
	flag.Parse()
	if len(routers) == 0 {
		routers = routerFlag{{"sluice", "bin/sluice"}}
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "scenario\trouter\trecords\tseconds\trecords/s\tMB/s\tCPU s\tCPU s/GB\trecords/CPU-s\tCPU %\tpeak RSS MB\t")
	failed := false
	for _, sc := range scenarios(*records, *size, *rateSeconds) {
		if len(want) > 0 && !want[sc.name] {
			continue
		}
		for _, r := range routers {
			res, err := run(sc, r)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s with %s: %v\n", sc.name, r.name, err)
				failed = true
				continue
			}
			row := fmt.Sprintf("%s\t%s\t%d\t%.2f\t%.0f\t%.1f\t%.2f\t%.2f\t%.0f\t%.1f\t%.1f\t\n",
				sc.name, r.name, res.records, res.wall.Seconds(), res.recordsPerSec(), res.mbPerSec(),
				res.cpu.Seconds(), res.cpuPerGB(), res.recordsPerCPUSecond(), res.cpuPercent(), float64(res.peakRSSKB)/1024)
			fmt.Fprint(os.Stderr, "done: ", strings.ReplaceAll(row, "\t", " "))
			fmt.Fprint(w, row)
		}
	}
	w.Flush() // one table, aligned across every row, once all have run
	if failed {
		os.Exit(1)
	}
}
