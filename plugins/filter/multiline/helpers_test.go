package multiline

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// fakeEmitter keeps what the filter emits; it fails while fail is set.
type fakeEmitter struct {
	mu   sync.Mutex
	t    testing.TB
	got  []emitted
	fail bool
}

type emitted struct {
	tag  string
	body string
}

func (e *fakeEmitter) Emit(_ context.Context, tag string, events []byte, records int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail {
		return errors.New("pipeline is shutting down")
	}
	bodies := plugintest.Bodies(e.t, events)
	if len(bodies) != records {
		e.t.Errorf("Emit said %d records, events hold %d", records, len(bodies))
	}
	for _, b := range bodies {
		e.got = append(e.got, emitted{tag, b})
	}
	return nil
}

func (e *fakeEmitter) all() []emitted {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]emitted(nil), e.got...)
}

// newFilter builds a filter with the fake emitter and [MULTILINE_PARSER]
// sections; it is drained when the test ends.
func newFilter(t testing.TB, em *fakeEmitter, sections []config.Section, kv ...string) *Filter {
	t.Helper()
	s := plugintest.Settings(t, Spec(), kv...)
	s.Emitter = em
	s.MultilineParsers = sections
	f, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close(context.Background()) })
	return f
}

// line is one record of a test: its text under log and its number.
type line struct {
	Log    string `json:"log"`
	N      int    `json:"n"`
	Stream string `json:"stream,omitempty"`
}

func (l line) json(t testing.TB) string {
	t.Helper()
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parse(t testing.TB, body string) line {
	t.Helper()
	var l line
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return l
}

// feed passes the records through f, per batch of the given sizes (the
// last size repeats), and returns what left in the batches themselves.
func feed(t testing.TB, f *Filter, tag string, lines []line, sizes ...int) []string {
	t.Helper()
	var out []string
	for i, b := 0, 0; i < len(lines); b++ {
		n := sizes[min(b, len(sizes)-1)]
		j := min(i+n, len(lines))
		var bodies []string
		for _, l := range lines[i:j] {
			bodies = append(bodies, l.json(t))
		}
		events, _ := plugintest.Events(t, bodies...)
		var o record.Builder
		res, err := f.Filter(tag, events, &o)
		if err != nil {
			t.Fatal(err)
		}
		if res == 0 { // unchanged
			out = append(out, bodies...)
		} else {
			out = append(out, plugintest.Bodies(t, o.Bytes())...)
		}
		i = j
	}
	return out
}

// numbered returns the lines of a testdata file as records numbered from
// first.
func numbered(t testing.TB, file string, first int) []line {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var ls []line
	for i, s := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		ls = append(ls, line{Log: s, N: first + i})
	}
	return ls
}

// joinRange is what the records lines[from..to] become: one record with
// the first one's number.
func joinRange(lines []line, from, to int) line {
	var texts []string
	for _, l := range lines[from : to+1] {
		texts = append(texts, l.Log)
	}
	return line{Log: strings.Join(texts, "\n"), N: lines[from].N, Stream: lines[from].Stream}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
