package parser

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
)

// containerInsightsParsers are the parsers Amazon CloudWatch Container
// Insights ships (testdata/compat): two of them need look-behind and
// look-ahead, so they run on the backtracking engine.
func containerInsightsParsers(t *testing.T) *Registry {
	t.Helper()
	m, _, err := config.ParseClassic("parsers.conf", containerInsightsConf(t))
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := NewRegistry(m.Parsers)
	if err != nil {
		t.Fatalf("the Container Insights parsers must compile: %v", err)
	}
	return reg
}

// containerInsightsConf reads Container Insights' parsers.conf.
func containerInsightsConf(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile("../../testdata/compat/eks-container-insights/support/parsers.conf")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestContainerInsightsParsers(t *testing.T) {
	reg := containerInsightsParsers(t)
	for _, c := range []struct {
		parser, line string
		want         string // the map as JSON; "" for no match
		time         time.Time
		backtracking bool
	}{
		{
			parser: "container_firstline", backtracking: true,
			line: `{"log":"2024-05-01 12:00:00 INFO starting \"server\" on :8080\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}`,
			want: `{"log":"2024-05-01 12:00:00 INFO starting \\\"server\\\" on :8080\\n","stream":"stdout"}`,
			time: time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC),
		},
		{
			parser: "container_firstline", backtracking: true,
			line: `{"log":"java.lang.IllegalStateException: boom\n","stream":"stderr","time":"2024-05-01T12:00:01.5Z"}`,
			want: `{"log":"java.lang.IllegalStateException: boom\\n","stream":"stderr"}`,
			time: time.Date(2024, 5, 1, 12, 0, 1, 500000000, time.UTC),
		},
		{ // a continuation line (leading space) is not a first line
			parser: "container_firstline", backtracking: true,
			line: `{"log":"    at com.example.Handler.handle(Handler.java:42)\n","stream":"stderr","time":"2024-05-01T12:00:01.6Z"}`,
		},
		{ // nor one whose first character is followed by a dot (\S(?!\.))
			parser: "container_firstline", backtracking: true,
			line: `{"log":"...12 more\n","stream":"stderr","time":"2024-05-01T12:00:01.7Z"}`,
		},
		{
			parser: "cwagent_firstline", backtracking: true,
			line: `{"log":"2024/05/01 12:00:02 I! Starting AmazonCloudWatchAgent 1.300032.2\n","stream":"stderr","time":"2024-05-01T12:00:02.000000001Z"}`,
			want: `{"log":"2024/05/01 12:00:02 I! Starting AmazonCloudWatchAgent 1.300032.2\\n","stream":"stderr"}`,
			time: time.Date(2024, 5, 1, 12, 0, 2, 1, time.UTC),
		},
		{ // seconds followed by a fraction: (?!\.) refuses it
			parser: "cwagent_firstline", backtracking: true,
			line: `{"log":"2024-05-01T12:00:02.5Z E! failed\n","stream":"stderr","time":"2024-05-01T12:00:02.6Z"}`,
		},
		{
			parser: "syslog",
			line:   "Dec  1 08:47:56 ip-10-0-1-23 kubelet[2345]: I1201 08:47:56.123 started",
			want:   `{"host":"ip-10-0-1-23","ident":"kubelet","pid":"2345","message":"I1201 08:47:56.123 started"}`,
			time:   time.Date(fixedNow.Year()-1, 12, 1, 8, 47, 56, 0, time.UTC), // December is in the future in June: last year
		},
	} {
		p, ok := reg.Lookup(c.parser)
		if !ok {
			t.Fatalf("no parser %s", c.parser)
		}
		p.now = func() time.Time { return fixedNow }
		if p.regex.Backtracking() != c.backtracking {
			t.Errorf("%s: Backtracking() = %v, want %v", c.parser, p.regex.Backtracking(), c.backtracking)
		}
		got, res, err := parseToJSON(t, p, c.line)
		if c.want == "" {
			if !errors.Is(err, ErrNoMatch) {
				t.Errorf("%s on %s: %s %v, want no match", c.parser, c.line, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s on %s:\n got %s (%v)\nwant %s", c.parser, c.line, got, err, c.want)
			continue
		}
		if !res.HasTime || !res.Time.Std().Equal(c.time) {
			t.Errorf("%s: time %v (%v, %v), want %v", c.parser, res.Time.Std().UTC(), res.HasTime, res.TimeErr, c.time)
		}
	}
}
