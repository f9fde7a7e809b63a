package multiline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

// trace is a testdata file and the lines of its trace.
type trace struct {
	file        string
	first, last int
}

var traces = map[string]trace{
	"java":   {"java.txt", 1, 10},
	"python": {"python.txt", 1, 15},
	"go":     {"go.txt", 1, 12},
}

// expect returns the records lines become when each of the ranges is one
// record.
func expect(lines []line, ranges ...[2]int) []line {
	var want []line
	for i := 0; i < len(lines); i++ {
		j := slices.IndexFunc(ranges, func(r [2]int) bool { return r[0] == i })
		if j < 0 {
			want = append(want, lines[i])
			continue
		}
		want = append(want, joinRange(lines, ranges[j][0], ranges[j][1]))
		i = ranges[j][1]
	}
	return want
}

func emittedLines(t *testing.T, em *fakeEmitter, tag string) []line {
	t.Helper()
	var ls []line
	for _, e := range em.all() {
		if e.tag == tag {
			ls = append(ls, parse(t, e.body))
		}
	}
	return ls
}

func diff(t *testing.T, got, want []line) {
	t.Helper()
	if !slices.Equal(got, want) {
		var g, w strings.Builder
		for _, l := range got {
			fmt.Fprintf(&g, "%d %s %q\n", l.N, l.Stream, l.Log)
		}
		for _, l := range want {
			fmt.Fprintf(&w, "%d %s %q\n", l.N, l.Stream, l.Log)
		}
		t.Errorf("got:\n%swant:\n%s", g.String(), w.String())
	}
}

// TestTracesAcrossBatches splits real traces into batches of every size,
// a line per batch included (a forward client's records), and checks each
// trace leaves as one record numbered as its first line, the other lines
// unchanged and in order.
func TestTracesAcrossBatches(t *testing.T) {
	for _, parser := range []string{"java", "python", "go"} {
		for _, sizes := range [][]int{{1}, {2, 5}, {3}, {1000}} {
			t.Run(fmt.Sprint(parser, sizes), func(t *testing.T) {
				tr := traces[parser]
				lines := numbered(t, tr.file, 100)
				em := &fakeEmitter{t: t}
				f := newFilter(t, em, nil, "multiline.parser", parser)
				if out := feed(t, f, "app", lines, sizes...); len(out) != 0 {
					t.Fatalf("buffer on: records left in the batch: %q", out)
				}
				if err := f.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				diff(t, emittedLines(t, em, "app"), expect(lines, [2]int{tr.first, tr.last}))
			})
		}
	}
}

// TestParsersInOrder runs the three traces one after the other through one
// list of parsers.
func TestParsersInOrder(t *testing.T) {
	var lines []line
	var ranges [][2]int
	for _, p := range []string{"python", "go", "java"} {
		tr := traces[p]
		ls := numbered(t, tr.file, len(lines))
		ranges = append(ranges, [2]int{len(lines) + tr.first, len(lines) + tr.last})
		lines = append(lines, ls...)
	}
	em := &fakeEmitter{t: t}
	f := newFilter(t, em, nil, "multiline.parser", "java, python", "multiline.parser", "go")
	feed(t, f, "app", lines, 4)
	_ = f.Drain(context.Background())
	diff(t, emittedLines(t, em, "app"), expect(lines, ranges...))
}

// TestTagsInterleaved feeds a Java trace under one tag and a Python one
// under another, batch by batch in turn: each is joined in its own stream.
func TestTagsInterleaved(t *testing.T) {
	em := &fakeEmitter{t: t}
	f := newFilter(t, em, nil, "multiline.parser", "java,python")
	java, py := numbered(t, "java.txt", 0), numbered(t, "python.txt", 1000)
	for i := 0; i < max(len(java), len(py)); i++ {
		if i < len(java) {
			feed(t, f, "kube.java", java[i:i+1], 1)
		}
		if i < len(py) {
			feed(t, f, "kube.py", py[i:i+1], 1)
		}
	}
	_ = f.Drain(context.Background())
	diff(t, emittedLines(t, em, "kube.java"), expect(java, [2]int{1, 10}))
	diff(t, emittedLines(t, em, "kube.py"), expect(py, [2]int{1, 15}))
}

// TestCRI joins CRI partial lines (P then F) and the Java trace they carry,
// with stdout and stderr of one container interleaved, both as raw CRI
// lines under log and as records a cri [PARSER] already split.
func TestCRI(t *testing.T) {
	const ts = "2024-05-01T12:00:00.000000001Z "
	raw := []line{
		{Log: ts + "stdout F 2024-05-01 12:00:00 request 1 ok", N: 0},
		{Log: ts + "stderr F java.lang.IllegalStateException: Failed to", N: 1},
		{Log: ts + "stdout P partial line ", N: 2},
		{Log: ts + "stderr P \tat com.example.Orders.process(Orders", N: 3},
		{Log: ts + "stdout F continues", N: 4},
		{Log: ts + "stderr F .java:87)", N: 5},
		{Log: ts + "stderr F \tat com.example.Main.main(Main.java:10)", N: 6},
		{Log: ts + "stdout F 2024-05-01 12:00:01 request 2 ok", N: 7},
		{Log: ts + "stderr F 2024-05-01 12:00:01 done", N: 8},
	}
	em := &fakeEmitter{t: t}
	f := newFilter(t, em, nil, "multiline.parser", "cri, java")
	feed(t, f, "kube.c", raw, 1)
	_ = f.Drain(context.Background())
	want := []line{
		{Log: "2024-05-01 12:00:00 request 1 ok", N: 0, Stream: "stdout"},
		{Log: "partial line continues", N: 2, Stream: "stdout"},
		{Log: "java.lang.IllegalStateException: Failed to\n\tat com.example.Orders.process(Orders.java:87)\n\tat com.example.Main.main(Main.java:10)", N: 1, Stream: "stderr"},
		{Log: "2024-05-01 12:00:01 request 2 ok", N: 7, Stream: "stdout"},
		{Log: "2024-05-01 12:00:01 done", N: 8, Stream: "stderr"},
	}
	got := emittedLines(t, em, "kube.c")
	// Streams are independent: compare each stream's order.
	for _, s := range []string{"stdout", "stderr"} {
		var g, w []line
		for _, l := range got {
			if l.Stream == s {
				g = append(g, l)
			}
		}
		for _, l := range want {
			if l.Stream == s {
				w = append(w, l)
			}
		}
		diff(t, g, w)
	}
	if len(got) != len(want) {
		t.Errorf("%d records, want %d", len(got), len(want))
	}

	// Records already split by a cri parser: stream is a key; the trace
	// on stderr is joined while stdout lines pass between its lines.
	split := []line{
		{Log: "java.lang.RuntimeException: boom", N: 0, Stream: "stderr"},
		{Log: "request 1 ok", N: 1, Stream: "stdout"},
		{Log: "\tat com.example.A.a(A.java:1)", N: 2, Stream: "stderr"},
		{Log: "request 2 ok", N: 3, Stream: "stdout"},
		{Log: "\tat com.example.B.b(B.java:2)", N: 4, Stream: "stderr"},
		{Log: "after", N: 5, Stream: "stderr"},
	}
	em2 := &fakeEmitter{t: t}
	f2 := newFilter(t, em2, nil, "multiline.parser", "java")
	feed(t, f2, "kube.d", split, 2)
	if err := f2.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	diff(t, emittedLines(t, em2, "kube.d"), []line{
		split[1], split[3],
		{Log: "java.lang.RuntimeException: boom\n\tat com.example.A.a(A.java:1)\n\tat com.example.B.b(B.java:2)", N: 0, Stream: "stderr"},
		split[5],
	})
}

// TestFlushMs: a trace whose next line does not come is emitted by the
// timer after flush_ms, without another batch or a shutdown.
func TestFlushMs(t *testing.T) {
	em := &fakeEmitter{t: t}
	f := newFilter(t, em, nil, "multiline.parser", "java", "flush_ms", "20")
	lines := numbered(t, "java.txt", 0)[:11] // the trace ends the input
	feed(t, f, "app", lines, 1)
	eventually(t, "the timer to emit the trace", func() bool { return len(em.all()) == 2 })
	diff(t, emittedLines(t, em, "app"), expect(lines, [2]int{1, 10}))
	// The stream goes on afterwards.
	feed(t, f, "app", []line{{Log: "next", N: 11}}, 1)
	eventually(t, "the next line", func() bool { return len(em.all()) == 3 })
}

// TestBufferOff joins within one batch only; a batch with nothing to join
// leaves unchanged.
func TestBufferOff(t *testing.T) {
	f := newFilter(t, nil, nil, "multiline.parser", "java", "buffer", "off")
	lines := numbered(t, "java.txt", 0)
	var got []line
	for _, b := range feed(t, f, "app", lines, 1000) {
		got = append(got, parse(t, b))
	}
	diff(t, got, expect(lines, [2]int{1, 10}))
	// Split across batches, the trace is cut where the batch ends.
	got = nil
	for _, b := range feed(t, f, "app", lines, 5) {
		got = append(got, parse(t, b))
	}
	diff(t, got, expect(lines, [2]int{1, 4}, [2]int{7, 9})) // 5 and 6 start no trace
	plain := []string{`{"log":"a"}`, `{"log":"b","k":1}`}
	if out, changed := plugintest.RunFilter(t, f, "app", plain...); changed || !slices.Equal(out, plain) {
		t.Errorf("nothing to join: changed %v out %q", changed, out)
	}
}

// TestPassThrough: records without the text key, or whose value is not a
// string, leave as they came, in order with the others; other keys and
// the first record's time survive joining.
func TestPassThrough(t *testing.T) {
	em := &fakeEmitter{t: t}
	f := newFilter(t, em, nil, "multiline.parser", "java")
	bodies := []string{
		`{"msg":"no log key","n":0}`,
		`{"log":42,"n":1}`,
		`{"log":"java.lang.Error: x","n":2,"k":{"a":[1,2]}}`,
		`{"log":"\tat A.b(A.java:1)","n":3,"k":"dropped with its line"}`,
		`{"log":"plain","n":4}`,
	}
	events, _ := plugintest.Events(t, bodies...)
	if _, err := f.Filter("app", events, nil); err != nil {
		t.Fatal(err)
	}
	_ = f.Drain(context.Background())
	var got []string
	for _, e := range em.all() {
		got = append(got, e.body)
	}
	want := []string{bodies[0], bodies[1], `{"log":"java.lang.Error: x\n\tat A.b(A.java:1)","n":2,"k":{"a":[1,2]}}`, bodies[4]}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestKeyContent: multiline.key_content names the key, and a
// [MULTILINE_PARSER]'s key_content is used when it is not set.
func TestKeyContent(t *testing.T) {
	sect := config.Section{Kind: config.KindMultilineParser, Params: []config.Param{
		{Key: "name", Value: "starts"}, {Key: "type", Value: "regex"}, {Key: "key_content", Value: "message"},
		{Key: "rule", Value: `"start_state" "/^\d{4}-/" "cont"`},
		{Key: "rule", Value: `"cont" "/^\s+/" "cont"`},
	}}
	bodies := []string{`{"message":"2024-05-01 one"}`, `{"message":"  two"}`, `{"message":"2024-05-01 three"}`}
	want := []string{`{"message":"2024-05-01 one\n  two"}`, `{"message":"2024-05-01 three"}`}
	for _, kv := range [][]string{
		{"multiline.parser", "starts"},
		{"multiline.parser", "starts", "multiline.key_content", "message"},
	} {
		em := &fakeEmitter{t: t}
		f := newFilter(t, em, []config.Section{sect}, kv...)
		events, _ := plugintest.Events(t, bodies...)
		if _, err := f.Filter("app", events, nil); err != nil {
			t.Fatal(err)
		}
		_ = f.Drain(context.Background())
		var got []string
		for _, e := range em.all() {
			got = append(got, e.body)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%v: got %q want %q", kv, got, want)
		}
	}
}

// TestEmitterRefuses: when the emitter refuses a batch's records, they
// continue in the batch rather than being lost.
func TestEmitterRefuses(t *testing.T) {
	em := &fakeEmitter{t: t, fail: true}
	f := newFilter(t, em, nil, "multiline.parser", "java")
	out := feed(t, f, "app", []line{{Log: "a", N: 0}, {Log: "b", N: 1}}, 2)
	if len(out) != 2 {
		t.Errorf("out %q", out)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		kv   []string
		want string
	}{
		{[]string{"multiline.parser", "nosuch"}, "nosuch"},
		{[]string{"multiline.parser", " , "}, "names no parser"},
		{[]string{"mode", "partial_message", "buffer", "off"}, "needs buffer on"},
		{[]string{"multiline.parser", "java", "mode", "other"}, "mode"},
		{[]string{"multiline.parser", "java", "flush_ms", "0"}, "flush_ms"},
		{[]string{}, "multiline.parser"},
	} {
		s, err := plugintest.TrySettings(Spec(), c.kv...)
		if err == nil {
			s.Emitter = &fakeEmitter{t: t}
			var f *Filter
			if f, err = New(s); err == nil {
				_ = f.Close(context.Background())
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.kv, err, c.want)
		}
	}
}

// TestPartialMessage joins the pieces the Docker fluentd log driver marks
// with partial_message, partial_id and partial_last, one piece per batch
// and two split messages interleaved: a finished message leaves in the
// batch of its last piece, without the partial_* keys; one whose last
// piece never comes is emitted after flush_ms.
func TestPartialMessage(t *testing.T) {
	em := &fakeEmitter{t: t}
	f := newFilter(t, em, nil, "mode", "partial_message", "flush_ms", "20")
	piece := func(id, ord, last, text string) string {
		return `{"container_id":"c1","source":"stdout","log":"` + text + `","partial_message":"true","partial_id":"` + id +
			`","partial_ordinal":"` + ord + `","partial_last":"` + last + `"}`
	}
	var got []string
	for _, b := range []string{
		piece("abc", "1", "false", "part one "),
		`{"log":"not split","container_id":"c1"}`,
		piece("def", "1", "false", "never "),
		piece("abc", "2", "false", "part two "),
		piece("def", "2", "false", "finished"),
		piece("abc", "3", "true", "end"),
	} {
		out, _ := plugintest.RunFilter(t, f, "docker.c1", b)
		got = append(got, out...)
	}
	want := []string{`{"log":"not split","container_id":"c1"}`, `{"container_id":"c1","source":"stdout","log":"part one part two end"}`}
	if !slices.Equal(got, want) {
		t.Errorf("in the batches:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	eventually(t, "the timer to emit the unfinished message", func() bool { return len(em.all()) == 1 })
	if e := em.all()[0]; e.tag != "docker.c1" || e.body != `{"container_id":"c1","source":"stdout","log":"never finished"}` {
		t.Errorf("emitted %+v", e)
	}
	// Nothing partial: the batch is unchanged.
	if _, changed := plugintest.RunFilter(t, f, "docker.c1", `{"log":"x","partial_message":"false"}`); changed {
		t.Error("a record with partial_message false changed the batch")
	}
	// Shutdown: Drain emits what is still unfinished.
	plugintest.RunFilter(t, f, "docker.c2", piece("ghi", "1", "false", "cut short"))
	if err := f.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if all := em.all(); len(all) != 2 || all[1].tag != "docker.c2" || !strings.Contains(all[1].body, `"log":"cut short"`) {
		t.Errorf("after Drain: %+v", all)
	}
}

// TestSweepForgetsIdleTags: the keys of tags that stopped sending are
// forgotten once idle, except those still holding a line.
func TestSweepForgetsIdleTags(t *testing.T) {
	em := &fakeEmitter{t: t}
	f := newFilter(t, em, nil, "multiline.parser", "java")
	for i := 0; i < 3; i++ {
		feed(t, f, fmt.Sprint("pod.", i), []line{{Log: "plain", N: i}}, 1)
	}
	feed(t, f, "pod.held", []line{{Log: "java.lang.Error: pending", N: 9}}, 1)
	f.mu.Lock()
	f.st.sweep(time.Now().Add(2*time.Minute), time.Minute)
	keys := slices.Sorted(maps.Keys(f.st.fifo))
	f.mu.Unlock()
	if !slices.Equal(keys, []string{"pod.held"}) {
		t.Errorf("keys after the sweep: %q, want only the one holding a line", keys)
	}
	// A forgotten tag starts again as new.
	feed(t, f, "pod.0", []line{{Log: "java.lang.Error: again", N: 10}, {Log: "\tat A.a(A.java:1)", N: 11}, {Log: "x", N: 12}}, 1)
	_ = f.Drain(context.Background())
	got := emittedLines(t, em, "pod.0")
	if len(got) != 3 || got[1].Log != "java.lang.Error: again\n\tat A.a(A.java:1)" {
		t.Errorf("pod.0 after the sweep: %+v", got)
	}
}
