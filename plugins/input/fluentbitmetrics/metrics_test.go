package fluentbitmetrics

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kv      []string
		want    time.Duration
		onStart bool
		err     string
	}{
		{name: "defaults are Fluent Bit's", want: 2 * time.Second},
		{name: "seconds", kv: []string{"scrape_interval", "5", "scrape_on_start", "on"}, want: 5 * time.Second, onStart: true},
		{name: "unit", kv: []string{"scrape_interval", "250ms"}, want: 250 * time.Millisecond},
		{name: "zero", kv: []string{"scrape_interval", "0"}, err: "scrape_interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := plugintest.Settings(t, Spec(), tc.kv...)
			s.Metrics = metrics.NewRegistry()
			in, err := New(s)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if in.interval != tc.want || in.onStart != tc.onStart {
				t.Errorf("interval %v onStart %v, want %v %v", in.interval, in.onStart, tc.want, tc.onStart)
			}
		})
	}
	if in, err := New(plugintest.Settings(t, Spec())); err != nil || in.registry == nil {
		t.Errorf("New without a registry: %v, registry %v; want an empty one", err, in)
	}
}

func TestAppendRecordsShape(t *testing.T) {
	reg := metrics.NewRegistry()
	in := reg.NewInput("dummy.0", "dummy", 0)
	in.Records.Add(42)
	out := reg.NewOutput("null.0", "null")
	out.Drop("retry_limit", 3)
	var b record.Builder
	AppendRecords(&b, record.Time(1_700_000_000e9), reg.Families())
	got := plugintest.Render(t, b.Bytes())
	for _, want := range []string{
		`1700000000 {"metric":"fluentbit_input_records_total","type":"counter","labels":{"name":"dummy.0"},"value":42}`,
		`1700000000 {"metric":"sluice_input_buffered_bytes","type":"gauge","labels":{"name":"dummy.0"},"value":0}`,
		`1700000000 {"metric":"fluentbit_output_dropped_records_total","type":"counter","labels":{"name":"null.0"},"value":3}`,
		`1700000000 {"metric":"sluice_output_dropped_records_total","type":"counter","labels":{"name":"null.0","reason":"retry_limit"},"value":3}`,
	} {
		if !contains(got, want) {
			t.Errorf("missing %s in\n%s", want, strings.Join(got, "\n"))
		}
	}
	n := 0
	for _, f := range reg.Families() {
		n += len(f.Samples)
	}
	if len(got) != n {
		t.Errorf("%d records for %d samples", len(got), n)
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

func TestRunScrapesOnStartAndEveryInterval(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.NewInput("dummy.0", "dummy", 0).Records.Add(7)
	s := plugintest.Settings(t, Spec(), "scrape_interval", "20ms", "scrape_on_start", "on", "Tag", "m")
	s.Tag = "m"
	s.Metrics = reg
	in, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var c plugintest.Collector
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, &c) }()
	perScrape := 0
	for _, f := range reg.Families() {
		perScrape += len(f.Samples)
	}
	c.WaitFor(t, 3*perScrape) // the start scrape and two ticks
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if tags := c.Tags(); tags[0] != "m" {
		t.Errorf("tag %q, want m", tags[0])
	}
}

func BenchmarkScrape(b *testing.B) {
	reg := metrics.NewRegistry()
	for range 8 {
		reg.NewInput("tail.0", "tail", 0)
		reg.NewOutput("cloudwatch_logs.0", "cloudwatch_logs")
	}
	var rb record.Builder
	b.ReportAllocs()
	for b.Loop() {
		rb.Reset()
		AppendRecords(&rb, 1, reg.Families())
	}
}
