package prometheusexporter

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/plugins/input/fluentbitmetrics"
)

func newOutput(t *testing.T, kv ...string) *Output {
	t.Helper()
	o, err := New(plugintest.Settings(t, Spec(), append([]string{"host", "127.0.0.1", "port", "0"}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = o.Close(context.Background()) })
	return o
}

// flushDropping flushes bodies, which may include records that are not
// metrics: those must be reported dropped as unsupported, nothing retried.
func flushDropping(t *testing.T, o *Output, bodies ...string) {
	t.Helper()
	data, n := plugintest.Events(t, bodies...)
	got := plugintest.DeliveredOrDropped(t, o.Flush(context.Background(), &record.Chunk{Tag: "m", Data: data, Records: n}))
	if got != "" && !strings.HasPrefix(got, "unsupported[") {
		t.Errorf("dropped %q, want only unsupported records", got)
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kv      []string
		bodies  []string
		want    string
		ignored uint64
	}{
		{name: "counter and gauge",
			bodies: []string{
				`{"metric":"a_total","type":"counter","labels":{"name":"tail.0"},"value":1}`,
				`{"metric":"b","type":"gauge","labels":{},"value":2.5}`,
			},
			want: "# TYPE a_total counter\na_total{name=\"tail.0\"} 1\n# TYPE b gauge\nb 2.5\n"},
		{name: "latest value wins, labels in any order",
			bodies: []string{
				`{"metric":"a","type":"counter","labels":{"x":"1","name":"n"},"value":1}`,
				`{"metric":"a","type":"counter","labels":{"name":"n","x":"1"},"value":5}`,
				`{"metric":"a","type":"counter","labels":{"name":"m"},"value":2}`,
			},
			want: "# TYPE a counter\na{name=\"n\",x=\"1\"} 5\na{name=\"m\"} 2\n"},
		{name: "add_label overrides and sorts",
			kv:     []string{"add_label", "app sluice", "add_label", "name fixed"},
			bodies: []string{`{"metric":"a","type":"gauge","labels":{"name":"n"},"value":-3}`},
			want:   "# TYPE a gauge\na{app=\"sluice\",name=\"fixed\"} -3\n"},
		{name: "escaping, untyped, special floats",
			bodies: []string{
				`{"metric":"a:b","labels":{"l":"q\"\\\n"},"value":1e400}`,
			},
			want: "# TYPE a:b untyped\na:b{l=\"q\\\"\\\\\\n\"} +Inf\n"},
		{name: "not metric records are ignored",
			bodies: []string{
				`{"log":"hello"}`,
				`{"metric":"9bad","value":1}`,
				`{"metric":"a","labels":{"bad-name":"x"},"value":1}`,
				`{"metric":"a","labels":{"n":1},"value":1}`,
				`{"metric":"a","value":"1"}`,
				`{"metric":"a"}`,
				`{"metric":"ok","type":"gauge","value":1}`,
			},
			want: "# TYPE ok gauge\nok 1\n", ignored: 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newOutput(t, tc.kv...)
			flushDropping(t, o, tc.bodies...)
			if got := string(o.render(nil)); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if got := o.Ignored(); got != tc.ignored {
				t.Errorf("ignored %d, want %d", got, tc.ignored)
			}
		})
	}
}

func TestBadAddLabel(t *testing.T) {
	s := plugintest.Settings(t, Spec(), "add_label", "bad-name x")
	if _, err := New(s); err == nil || !strings.Contains(err.Error(), "add_label") {
		t.Fatalf("err = %v, want one naming add_label", err)
	}
}

// TestServesWhatFluentBitMetricsEmits goes from a registry through the
// fluentbit_metrics record shape to an HTTP scrape.
func TestServesWhatFluentBitMetricsEmits(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.NewInput("dummy.0", "dummy", 0).Records.Add(99)
	o := newOutput(t, "add_label", "app sluice")
	if o.Addr() != nil {
		t.Fatal("listening before Start")
	}
	if err := o.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var b record.Builder
	fluentbitmetrics.AppendRecords(&b, record.Now(), reg.Families())
	if err := o.Flush(context.Background(), &record.Chunk{Data: b.Bytes(), Records: b.Records()}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + o.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != contentType {
		t.Errorf("Content-Type %q", ct)
	}
	if want := `fluentbit_input_records_total{app="sluice",name="dummy.0"} 99` + "\n"; !strings.Contains(string(body), want) {
		t.Errorf("scrape lacks %q:\n%s", want, body)
	}
	if err := o.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + o.Addr().String() + "/metrics"); err == nil {
		t.Error("still serving after Close")
	}
}

func TestPortTakenFailsFlushUntilFree(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	o, err := New(plugintest.Settings(t, Spec(), "host", "127.0.0.1", "port", port))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close(context.Background())
	if err := o.Start(context.Background()); err == nil || !strings.Contains(err.Error(), port) {
		t.Fatalf("Start: %v, want an error naming port %s", err, port)
	}
	data, n := plugintest.Events(t, `{"metric":"a","value":1}`)
	if err := o.Flush(context.Background(), &record.Chunk{Data: data, Records: n}); err == nil {
		t.Fatal("Flush succeeded while the port is taken")
	}
	ln.Close()
	if err := o.Flush(context.Background(), &record.Chunk{Data: data, Records: n}); err != nil {
		t.Fatalf("Flush after the port was freed: %v", err)
	}
}

func BenchmarkFlush(b *testing.B) {
	reg := metrics.NewRegistry()
	for range 8 {
		reg.NewInput("tail.0", "tail", 0)
		reg.NewOutput("cloudwatch_logs.0", "cloudwatch_logs")
	}
	var rb record.Builder
	fluentbitmetrics.AppendRecords(&rb, 1, reg.Families())
	o, err := New(plugintest.Settings(b, Spec(), "host", "127.0.0.1", "port", "0"))
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close(context.Background())
	chunk := &record.Chunk{Data: rb.Bytes(), Records: rb.Records()}
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk.Data)))
	for b.Loop() {
		if err := o.Flush(context.Background(), chunk); err != nil {
			b.Fatal(err)
		}
	}
}
