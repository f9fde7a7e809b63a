// Command firehose-emulator runs the strict Firehose emulator of package
// testing/emulators/firehose as a standalone server, for trying Sluice's
// kinesis_firehose output by hand:
//
//	firehose-emulator -addr 127.0.0.1:4573 -stream logs -fail-fraction 0.1
//	aws --endpoint-url http://127.0.0.1:4573 firehose put-record ...
//	curl 'http://127.0.0.1:4573/_emulator/records?stream=logs'
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sluice-logs/sluice/testing/emulators/firehose"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4573", "listen address")
	streams := flag.String("stream", "logs", "comma-separated delivery streams to create")
	var inj firehose.Injection
	flag.Float64Var(&inj.FailFraction, "fail-fraction", 0, "probability that a record fails on its first arrival")
	flag.StringVar(&inj.RecordErrorCode, "record-error-code", "", "per-record error code (default ServiceUnavailableException)")
	flag.IntVar(&inj.ThrottleEvery, "throttle-every", 0, "answer every n-th PutRecordBatch with ServiceUnavailableException")
	flag.Uint64Var(&inj.Seed, "seed", 1, "seed of the injected record failures")
	flag.Parse()
	s := firehose.New(inj, strings.Split(*streams, ",")...)
	url, err := s.Start(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "firehose-emulator:", err)
		os.Exit(1)
	}
	fmt.Println("firehose emulator listening on", url)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	s.Close()
}
