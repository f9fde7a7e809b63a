package splunk

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/testing/emulators/hec"
)

func start(t *testing.T, kv ...string) (*hec.Server, *Output) {
	t.Helper()
	s := hec.Start("tok")
	t.Cleanup(s.Close)
	port := strconv.Itoa(s.Listener.Addr().(*net.TCPAddr).Port)
	o, err := New(plugintest.Settings(t, Spec(), append([]string{"Host", "127.0.0.1", "Port", port, "splunk_token", "tok"}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return s, o
}

func chunk(t *testing.T, bodies ...string) *record.Chunk {
	events, n := plugintest.Events(t, bodies...)
	return &record.Chunk{Tag: "app", Data: events, Records: n}
}

func TestEventEnvelope(t *testing.T) {
	_, o := start(t, "event_host", "$k['host']", "event_source", "app", "event_sourcetype_key", "st",
		"event_index", "main", "event_field", "env prod", "event_field", "pod $k['pod']")
	events, _ := plugintest.Events(t, `{"log":"x","st":"json","k":{"host":"h1"}}`)
	it := record.NewIterator(events)
	it.Next()
	got, err := o.encode(nil, it.Event())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"time":1704067200.000000,"host":"h1","source":"app","sourcetype":"json","index":"main","fields":{"env":"prod"},"event":{"log":"x","st":"json","k":{"host":"h1"}}}`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFlushAndEventKey(t *testing.T) {
	s, o := start(t, "event_key", "log", "compress", "gzip", "channel", "c-1")
	if err := o.Flush(context.Background(), chunk(t, `{"log":"one"}`, `{"log":"two"}`)); err != nil {
		t.Fatal(err)
	}
	ev := s.Events()
	if len(ev) != 2 || string(ev[1].Event) != `"two"` {
		t.Fatalf("events %+v", ev)
	}
	_, h := s.Requests()
	if h[0].Get("X-Splunk-Request-Channel") != "c-1" {
		t.Errorf("headers %v", h[0])
	}
}

func TestRaw(t *testing.T) {
	s, o := start(t, "splunk_send_raw", "on")
	if err := o.Flush(context.Background(), chunk(t, `{"a":1}`, `{"a":2}`)); err != nil {
		t.Fatal(err)
	}
	if raw := s.Raw(); len(raw) != 1 || string(raw[0]) != "{\"a\":1}\n{\"a\":2}\n" {
		t.Errorf("raw %q", raw)
	}
}

// HEC indexes the events before an invalid one: those are delivered, the
// invalid one dropped, the rest retried.
func TestInvalidEventNumber(t *testing.T) {
	s, o := start(t)
	s.Invalid = func(e *hec.Event) bool { return strings.Contains(string(e.Event), "bad") }
	err := o.Flush(context.Background(), chunk(t, `{"n":0}`, `{"n":1}`, `{"n":2,"bad":1}`, `{"n":3}`, `{"n":4}`))
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || fmt.Sprint(failed) != "[3 4]" || fmt.Sprint(plugin.Rejected(err)) != "[2]" {
		t.Fatalf("class %s failed %v rejected %v (%v)", class, failed, plugin.Rejected(err), err)
	}
	if !strings.Contains(err.Error(), "Invalid data format (code 6)") {
		t.Errorf("error %q", err)
	}
	if n := len(s.Events()); n != 2 {
		t.Errorf("%d indexed", n)
	}
}

func TestStatuses(t *testing.T) {
	s, o := start(t)
	s.Busy = func(int) bool { return true }
	if class, _, _ := plugin.Classify(o.Flush(context.Background(), chunk(t, `{"a":1}`))); class != plugin.ClassRetryable {
		t.Errorf("503 busy: %s", class)
	}
	s.Busy = nil
	s.Token = "other"
	err := o.Flush(context.Background(), chunk(t, `{"a":1}`))
	if class, _, _ := plugin.Classify(err); class != plugin.ClassRetryable || !strings.Contains(err.Error(), "Invalid token") {
		t.Errorf("403: %v", err)
	}
}
