package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"

	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

// service is the [SERVICE] section every scenario shares: the monitoring
// server the harness reads, a 1 s flush as both routers default to.
const service = `
[SERVICE]
    Flush        1
    Log_Level    warn
    HTTP_Server  On
    HTTP_Listen  127.0.0.1
    HTTP_Port    {{.HTTPPort}}
    Parsers_File {{.Dir}}/parsers.conf
`

// apacheParser is the parsers file of the parsing scenario: Fluent Bit's
// classic apache2 expression (its parsers.conf), written to the run's
// directory so any router reads the same file.
const apacheParser = `[PARSER]
    Name        apache2
    Format      regex
    Regex       ^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^ ]*) +\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>.*)")?$
    Time_Key    time
    Time_Format %d/%b/%Y:%H:%M:%S %z
`

// accessLine returns an Apache combined log line of about size bytes.
func accessLine(i, size int) string {
	line := fmt.Sprintf(`10.0.%d.%d - - [01/Dec/2026:05:00:00 +0000] "GET /api/v1/orders/%d?page=2 HTTP/1.1" 200 %d "https://example.com/shop" "`,
		i%250, i%200, i, 1000+i%9000)
	agent := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
	if pad := size - len(line) - len(agent) - 1; pad > 0 {
		agent += strings.Repeat("x", pad)
	}
	return line + agent + `"`
}

// writeLines writes n access lines to path.
func writeLines(path string, n, size int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var total int64
	for i := 0; i < n; i++ {
		k, _ := w.WriteString(accessLine(i, size))
		w.WriteByte('\n')
		total += int64(k + 1)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return total, f.Close()
}

func scenarios(n, size int, rateFor time.Duration) []scenario {
	lineBytes := int64(n) * int64(len(accessLine(0, size))+1)
	prepareFile := func(e *env) error {
		if err := os.WriteFile(filepath.Join(e.Dir, "parsers.conf"), []byte(apacheParser), 0o644); err != nil {
			return err
		}
		_, err := writeLines(filepath.Join(e.Dir, "access.log"), n, size)
		return err
	}
	parsersOnly := func(e *env) error {
		return os.WriteFile(filepath.Join(e.Dir, "parsers.conf"), []byte(apacheParser), 0o644)
	}
	tailInput := `
[INPUT]
    Name              tail
    Path              {{.Dir}}/access.log
    Read_from_Head    On
    Refresh_Interval  1
    Buffer_Chunk_Size 1M
    Buffer_Max_Size   1M
    Mem_Buf_Limit     64M
    Tag               bench
`
	forwardInput := `
[INPUT]
    Name           forward
    Listen         127.0.0.1
    Port           {{.Port}}
    Mem_Buf_Limit  64M
`
	nullOutput := `
[OUTPUT]
    Name   null
    Match  *
`
	fileOutput := `
[OUTPUT]
    Name    file
    Match   *
    Path    {{.Dir}}
    File    out.log
`
	rate := 10000
	rateRecords := int(rateFor.Seconds()) * rate
	return []scenario{
		{name: "stdin-null", config: service + `
[INPUT]
    Name  stdin
    Tag   bench
` + nullOutput, records: n, bytes: lineBytes, prepare: parsersOnly, stdin: true,
			feed: func(ctx context.Context, e *env) error { return feedStdin(ctx, e, n, size) }},
		{name: "tail-null", config: service + tailInput + nullOutput, records: n, bytes: lineBytes, prepare: prepareFile},
		{name: "tail-file", config: service + tailInput + fileOutput, records: n, bytes: lineBytes, prepare: prepareFile},
		{name: "tail-regex-file", config: service + tailInput + `
[FILTER]
    Name      parser
    Match     *
    Key_Name  log
    Parser    apache2
` + fileOutput, records: n, bytes: lineBytes, prepare: prepareFile},
		{name: "forward-null", config: service + forwardInput + nullOutput, records: n, bytes: lineBytes, prepare: parsersOnly,
			feed: func(ctx context.Context, e *env) error { return feedForward(ctx, e.Port, n, size, 0) }},
		{name: "forward-forward", config: service + forwardInput + `
[OUTPUT]
    Name   forward
    Match  *
    Host   127.0.0.1
    Port   {{.Port2}}
`, downstream: service + `
[INPUT]
    Name  forward
    Listen 127.0.0.1
    Port  {{.Port2}}
` + nullOutput, records: n, bytes: lineBytes, prepare: parsersOnly,
			feed: func(ctx context.Context, e *env) error { return feedForward(ctx, e.Port, n, size, 0) }},
		{name: "forward-cloudwatch_logs-1KB", config: service + forwardInput + `
[OUTPUT]
    Name               cloudwatch_logs
    Match              *
    region             us-east-1
    log_group_name     /bench
    log_stream_name    bench
    auto_create_group  On
    endpoint           {{.Endpoint}}
    workers            2
`, records: n / 4, bytes: int64(n/4) * 1024, prepare: parsersOnly, setup: startCloudWatchEmulator,
			feed: func(ctx context.Context, e *env) error { return feedForward(ctx, e.Port, n/4, 1024, 0) }},
		{name: "tail-10k-lines-per-s", config: service + tailInput + nullOutput, records: rateRecords,
			bytes: int64(rateRecords) * int64(size+1), fixedRate: true,
			prepare: func(e *env) error {
				if err := parsersOnly(e); err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(e.Dir, "access.log"), nil, 0o644)
			},
			feed: func(ctx context.Context, e *env) error {
				return appendAtRate(ctx, filepath.Join(e.Dir, "access.log"), rate, rateRecords, size)
			}},
	}
}

// feedStdin writes n JSON lines to the router's stdin.
func feedStdin(ctx context.Context, e *env, n, size int) error {
	w := bufio.NewWriterSize(e.stdin, 1<<20)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line := strings.ReplaceAll(accessLine(i, size), `"`, `'`)
		fmt.Fprintf(w, "{\"log\":\"%s\"}\n", line)
	}
	return w.Flush()
}

// feedForward sends n records with fluent-logger-golang, the client
// Docker's fluentd and awsfirelens drivers are built on.
func feedForward(ctx context.Context, port, n, size int, _ int) error {
	logger, err := fluent.New(fluent.Config{FluentHost: "127.0.0.1", FluentPort: port, BufferLimit: 64 << 20,
		WriteTimeout: 30 * time.Second, MaxRetry: 20})
	if err != nil {
		return err
	}
	defer logger.Close()
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := logger.Post("bench", map[string]string{"log": accessLine(i, size), "source": "stdout"}); err != nil {
			return err
		}
	}
	return nil
}

// appendAtRate appends rate lines a second to path, in 10 ms steps, until
// total lines are written: a container logging at a steady rate.
func appendAtRate(ctx context.Context, path string, rate, total, size int) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	written := 0
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	var buf []byte
	for written < total {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
		due := min(int(time.Since(start).Seconds()*float64(rate)), total)
		buf = buf[:0]
		for ; written < due; written++ {
			buf = append(buf, accessLine(written, size)...)
			buf = append(buf, '\n')
		}
		if _, err := f.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// startCloudWatchEmulator runs Sluice's strict CloudWatch Logs emulator
// (testing/emulators/cloudwatchlogs) in this process and gives the router
// static credentials for it.
func startCloudWatchEmulator(e *env) (func(), error) {
	emu, err := cwlemu.Start("127.0.0.1:0", cwlemu.Options{AccessKeyID: "AKIDBENCH", SecretAccessKey: "bench", Region: "us-east-1"})
	if err != nil {
		return nil, err
	}
	e.Endpoint = emu.URL
	e.environ = append(e.environ, "AWS_ACCESS_KEY_ID=AKIDBENCH", "AWS_SECRET_ACCESS_KEY=bench", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(e.Dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(e.Dir, "none"))
	return func() { emu.Close() }, nil
}
