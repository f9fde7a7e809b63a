package stdin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/plugins/output/stdout"
)

// newInput builds the input from classic key/value pairs, through the same
// Decode the engine uses, reading r and logging to logs.
func newInput(t testing.TB, r io.Reader, logs io.Writer, kv ...string) *Input {
	t.Helper()
	sect := &config.Section{Kind: config.KindInput, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "stdin"})
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[INPUT] stdin")
	if err != nil {
		t.Fatal(err)
	}
	if logs == nil {
		logs = io.Discard
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	in, err := New(plugin.Settings{ID: "stdin.0", Tag: "in.tag", Config: cfg, Logger: logger}, r)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// emitter keeps what an input emits, printed in Fluent Bit's msgpack form
// without the index and tag, one record per line.
type emitter struct {
	mu      sync.Mutex
	calls   int
	lines   []string
	emitted chan struct{} // signalled after each Emit, when set
	err     error         // returned by Emit, when set
}

func (e *emitter) Emit(_ context.Context, tag string, events []byte, records int) error {
	if e.err != nil {
		return e.err
	}
	e.mu.Lock()
	it := record.NewIterator(events)
	n := 0
	for it.Next() {
		ev := it.Event()
		line := []byte(tag + " ")
		line, _, _ = stdout.AppendPrinted(line, ev.Meta)
		line = append(line, ' ')
		line, _, _ = stdout.AppendPrinted(line, ev.Body)
		e.lines = append(e.lines, string(line))
		n++
	}
	e.calls++
	e.mu.Unlock()
	if it.Err() != nil || n != records {
		panic("bad batch")
	}
	if e.emitted != nil {
		e.emitted <- struct{}{}
	}
	return nil
}

func (e *emitter) got() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.lines...)
}

func runToEOF(t *testing.T, in *Input, e *emitter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := in.Run(ctx, e); !errors.Is(err, plugin.ErrExit) {
		t.Fatalf("Run = %v, want plugin.ErrExit at end of input (the router stops, as Fluent Bit does)", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run did not return at end of input")
	}
}

func TestLines(t *testing.T) {
	input := strings.Join([]string{
		`{"key": "value", "n": 1}`,
		`[1700000000, {"legacy": true}]`,
		`[1700000000.5, {"float": "time"}]`,
		`[[1700000001, {"m": "x"}], {"v2": 1}]`,
		`  {"padded": 1}  `,
		``,
		"   \t",
		`plain text line`,
		`{"crlf": 1}` + "\r",
		`[1, 2, 3]`,
		`[1700000000, "not an object"]`,
		`["yesterday", {"a": 1}]`,
		`{"broken": `,
		`42`,
		`{"last": "no newline"}`,
	}, "\n")
	var logs bytes.Buffer
	in := newInput(t, strings.NewReader(input), &logs)
	var e emitter
	runToEOF(t, in, &e)

	want := []string{
		`in.tag {} {"key"=>"value", "n"=>1}`,
		`in.tag {} {"legacy"=>true}`,
		`in.tag {} {"float"=>"time"}`,
		`in.tag {"m"=>"x"} {"v2"=>1}`,
		`in.tag {} {"padded"=>1}`,
		`in.tag {} {"log"=>"plain text line"}`,
		`in.tag {} {"crlf"=>1}`,
		`in.tag {} {"log"=>"{"broken": "}`,
		`in.tag {} {"log"=>"42"}`,
		`in.tag {} {"last"=>"no newline"}`,
	}
	if got := e.got(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, w := range []string{
		`reason=malformed error="stdin: line 10 skipped: not a valid record: event array has 3 elements, want 2`,
		`line 11 skipped: not a valid record: body is str`,
		`line 12 skipped: not a valid record: time is str`,
		`level=DEBUG msg="line is not a JSON object or array; kept as {\"log\": line}" line=8`,
		`msg="end of standard input" lines=15 records=10 kept_as_log=3 skipped_invalid=3 skipped_oversized=0`,
	} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("logs lack %q:\n%s", w, logs.String())
		}
	}
}

func TestEventTimes(t *testing.T) {
	in := newInput(t, strings.NewReader("[1700000000.25, {}]\n[[1700000001, {}], {}]\n"), nil)
	var times []record.Time
	e := &funcEmitter{fn: func(events []byte) {
		it := record.NewIterator(events)
		for it.Next() {
			times = append(times, it.Event().Time)
		}
	}}
	if err := in.Run(context.Background(), e); !errors.Is(err, plugin.ErrExit) {
		t.Fatal(err)
	}
	if len(times) != 2 || times[0] != 1700000000_250000000 || times[1] != 1700000001_000000000 {
		t.Errorf("times %v", times)
	}
}

type funcEmitter struct{ fn func([]byte) }

func (f *funcEmitter) Emit(_ context.Context, _ string, events []byte, _ int) error {
	f.fn(events)
	return nil
}

func TestOversizedLinesAreSkipped(t *testing.T) {
	long := strings.Repeat("x", 3000)
	input := `{"a":1}` + "\n" + long + "\n" + `{"b":2}` + "\n" + `{"c":"` + long + `"}`
	for name, r := range map[string]io.Reader{
		"one read":       strings.NewReader(input),
		"byte by byte":   iotest.OneByteReader(strings.NewReader(input)),
		"half at a time": iotest.HalfReader(strings.NewReader(input)),
	} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			in := newInput(t, r, &logs, "Buffer_Size", "2k")
			var e emitter
			runToEOF(t, in, &e)
			if got := strings.Join(e.got(), "\n"); got != "in.tag {} {\"a\"=>1}\nin.tag {} {\"b\"=>2}" {
				t.Errorf("records:\n%s", got)
			}
			for _, w := range []string{`reason=oversize error="stdin: line 2 of 3000 bytes skipped: longer than Buffer_Size (2048 bytes)`,
				`line 4 of 3008 bytes skipped`, `skipped_oversized=2`} {
				if !strings.Contains(logs.String(), w) {
					t.Errorf("logs lack %q:\n%s", w, logs.String())
				}
			}
		})
	}
}

func TestLinesSpanningReads(t *testing.T) {
	var b strings.Builder
	for i := range 2000 {
		b.WriteString(`{"seq":`)
		b.WriteString(strings.Repeat("1", i%7+1))
		b.WriteString("}\n")
	}
	in := newInput(t, iotest.HalfReader(strings.NewReader(b.String())), nil)
	var e emitter
	runToEOF(t, in, &e)
	if got := len(e.got()); got != 2000 {
		t.Fatalf("%d records, want 2000", got)
	}
	if e.calls < 4 {
		t.Errorf("%d Emit calls for 2000 records; batches hold at most %d", e.calls, batchRecords)
	}
}

func TestInteractiveLinesAreEmittedAtOnce(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	in := newInput(t, pr, nil)
	e := &emitter{emitted: make(chan struct{}, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, e) }()

	if _, err := io.WriteString(pw, `{"first":1}`+"\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-e.emitted:
	case <-time.After(5 * time.Second):
		t.Fatal("a line was not emitted while the input stayed open")
	}
	// Cancel while the reader is blocked: Run returns without waiting for it.
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v on cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if got := e.got(); len(got) != 1 || got[0] != `in.tag {} {"first"=>1}` {
		t.Errorf("records %q", got)
	}
}

func TestEmitErrorStopsRun(t *testing.T) {
	in := newInput(t, strings.NewReader(`{"a":1}`+"\n"), nil)
	err := in.Run(context.Background(), &emitter{err: errors.New("pipeline is shutting down")})
	if err == nil || !strings.Contains(err.Error(), "pipeline is shutting down") {
		t.Errorf("Run returned %v", err)
	}
}

func TestReadErrorIsReturned(t *testing.T) {
	r := io.MultiReader(strings.NewReader(`{"a":1}`+"\n"), iotest.ErrReader(errors.New("input/output error")))
	in := newInput(t, r, nil)
	var e emitter
	err := in.Run(context.Background(), &e)
	if err == nil || !strings.Contains(err.Error(), "after line 1: input/output error") {
		t.Errorf("Run returned %v", err)
	}
	if len(e.got()) != 1 {
		t.Errorf("the line read before the error was not emitted: %q", e.got())
	}
}

func TestParserReadsEachLine(t *testing.T) {
	reg, _, err := parser.NewRegistry([]config.Section{{Kind: config.KindParser, Params: []config.Param{
		{Key: "Name", Value: "kv"}, {Key: "Format", Value: "logfmt"}, {Key: "Time_Key", Value: "ts"}, {Key: "Time_Format", Value: "%s"},
		{Key: "Logfmt_No_Bare_Keys", Value: "on"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	sect := &config.Section{Kind: config.KindInput, Params: []config.Param{{Key: "Name", Value: "stdin"}, {Key: "Parser", Value: "kv"}}}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[INPUT] stdin")
	if err != nil {
		t.Fatal(err)
	}
	in, err := New(plugin.Settings{ID: "stdin.0", Tag: "in.tag", Config: cfg, Parsers: reg}, strings.NewReader("ts=1700000000 a=1\r\nno value here\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := &emitter{}
	runToEOF(t, in, e)
	got := e.got()
	if len(got) != 2 || !strings.Contains(got[0], `{"a"=>"1"}`) || !strings.Contains(got[1], `{"log"=>"no value here"}`) {
		t.Errorf("got %q", got)
	}
	sect.Params[1].Value = "missing"
	cfg, _ = plugin.Decode(&spec, sect, "[INPUT] stdin")
	if _, err := New(plugin.Settings{Config: cfg, Parsers: reg}, strings.NewReader("")); err == nil || !strings.Contains(err.Error(), `no parser named "missing"`) {
		t.Errorf("unknown parser: %v", err)
	}
}
