package cloudwatchlogs

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

// syncBuffer collects logs written by concurrent goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// decode builds a config from classic key/value pairs through the same
// Decode the engine uses.
func decode(t testing.TB, kv ...string) *plugin.Config {
	t.Helper()
	sect := &config.Section{Kind: config.KindOutput, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "cloudwatch_logs"})
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "test.conf", Line: 2 + i/2}})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[OUTPUT] cloudwatch_logs")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// newOutput builds the output; logs go to logs when it is not nil.
func newOutput(t testing.TB, logs *syncBuffer, kv ...string) *Output {
	t.Helper()
	s := plugin.Settings{ID: "cloudwatch_logs.0", Config: decode(t, kv...)}
	if logs != nil {
		s.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	o, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// emulated serves an emulator for the test and points o at it.
func emulated(t testing.TB, o *Output, opts cwlemu.Options) *cwlemu.Server {
	t.Helper()
	if opts.AccessKeyID == "" {
		// Check every request's signature, as AWS does.
		opts.AccessKeyID, opts.SecretAccessKey = "AKIDTEST", "secret"
	}
	emu := cwlemu.New(opts)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	o.api = cwl.New(cwl.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
	return emu
}

// event is one test record: a time and a body in JSON.
type event struct {
	time time.Time
	body string
}

func chunkOf(t testing.TB, tag string, events ...event) *record.Chunk {
	t.Helper()
	var b record.Builder
	for _, e := range events {
		body, err := record.AppendJSONAsMsgpack(nil, []byte(e.body))
		if err != nil {
			t.Fatal(err)
		}
		b.Append(record.FromTime(e.time), nil, body)
	}
	return &record.Chunk{Tag: tag, Data: b.Bytes(), Records: b.Records()}
}

func flush(t testing.TB, o *Output, c *record.Chunk) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return o.Flush(ctx, c)
}

func messages(evs []cwlemu.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Message
	}
	return out
}
