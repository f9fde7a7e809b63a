package file

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// newOutput builds the output from classic key/value pairs, through the
// same Decode the engine uses; logs go to logs when it is not nil.
func newOutput(t testing.TB, logs *bytes.Buffer, kv ...string) *Output {
	t.Helper()
	sect := &config.Section{Kind: config.KindOutput, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "file"})
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "test.conf", Line: 2 + i/2}})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[OUTPUT] file")
	if err != nil {
		t.Fatal(err)
	}
	s := plugin.Settings{ID: "file.0", Config: cfg}
	if logs != nil {
		s.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	o, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// event is one test record: a time and a body in JSON.
type event struct {
	time record.Time
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
		b.Append(e.time, nil, body)
	}
	return &record.Chunk{Tag: tag, Data: b.Bytes(), Records: b.Records()}
}

const (
	t1 = record.Time(1700000000_123456789)
	t2 = record.Time(1700000001_000000000)
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFormats(t *testing.T) {
	records := []event{
		{time: t1, body: `{"message":"hello","n":1,"f":0.5,"list":[1,"a"],"none":null}`},
		{time: t2, body: `{}`},
		{time: t2, body: `{"message":"bye"}`},
	}
	tests := []struct {
		name   string
		params []string
		want   string
	}{
		{
			name: "out_file is the default",
			want: `app.log: [1700000000.123456789, {"message":"hello","n":1,"f":0.5,"list":[1,"a"],"none":null}]` + "\n" +
				`app.log: [1700000001.000000000, {}]` + "\n" +
				`app.log: [1700000001.000000000, {"message":"bye"}]` + "\n",
		},
		{
			name:   "plain",
			params: []string{"Format", "plain"},
			want:   `{"message":"hello","n":1,"f":0.5,"list":[1,"a"],"none":null}` + "\n{}\n" + `{"message":"bye"}` + "\n",
		},
		{
			name:   "csv skips empty records",
			params: []string{"Format", "csv"},
			want:   `1700000000.123456789,"hello",1,0.500000,[1, "a"],nil` + "\n" + `1700000001.000000000,"bye"` + "\n",
		},
		{
			name:   "csv with tab and column names",
			params: []string{"Format", "csv", "Delimiter", "tab", "Csv_Column_Names", "on"},
			want: "timestamp\t\"message\"\t\"n\"\t\"f\"\t\"list\"\t\"none\"\n" +
				"1700000000.123456789\t\"hello\"\t1\t0.500000\t[1, \"a\"]\tnil\n" +
				"1700000001.000000000\t\"bye\"\n",
		},
		{
			name:   "ltsv",
			params: []string{"Format", "ltsv"},
			want: "\"time\":1700000000.123457\t\"message\":\"hello\"\t\"n\":1\t\"f\":0.500000\t\"list\":[1, \"a\"]\t\"none\":nil\n" +
				"\"time\":1700000001.000000\t\"message\":\"bye\"\n",
		},
		{
			name:   "ltsv with custom separators",
			params: []string{"Format", "ltsv", "Delimiter", "comma", "Label_Delimiter", "space"},
			want:   `"time" 1700000000.123457,"message" "hello","n" 1,"f" 0.500000,"list" [1, "a"],"none" nil` + "\n" + `"time" 1700000001.000000,"message" "bye"` + "\n",
		},
		{
			name:   "template default",
			params: []string{"Format", "template"},
			want:   "1700000000.123457 hello\n1700000001.000000 {message}\n1700000001.000000 bye\n",
		},
		{
			name:   "template fields",
			params: []string{"Format", "template", "Template", "n={n} list={list} {a{message} {} {open"},
			want:   "n=1 list=[1, \"a\"] {ahello {} {open\nn={n} list={list} {a{message} {} {open\nn={n} list={list} {abye {} {open\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := newOutput(t, nil, append([]string{"Path", dir, "File", "out"}, tt.params...)...)
			if err := o.Flush(context.Background(), chunkOf(t, "app.log", records...)); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, filepath.Join(dir, "out")); got != tt.want {
				t.Errorf("file content:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestMsgpackFormatWritesTheEvents(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, nil, "Path", dir, "Format", "msgpack")
	chunk := chunkOf(t, "raw", event{time: t1, body: `{"a":1}`}, event{time: t2, body: `{"b":2}`})
	for range 2 {
		if err := o.Flush(context.Background(), chunk); err != nil {
			t.Fatal(err)
		}
	}
	got := readFile(t, filepath.Join(dir, "raw"))
	if got != string(chunk.Data)+string(chunk.Data) {
		t.Fatal("msgpack file is not the chunk's events appended twice")
	}
	if n, err := record.Count([]byte(got)); err != nil || n != 4 {
		t.Errorf("file holds %d events, %v", n, err)
	}
}

func TestCSVColumnNamesOnlyOnAnEmptyFile(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, nil, "Path", dir, "File", "m.csv", "Format", "csv", "Csv_Column_Names", "true")
	for range 2 {
		if err := o.Flush(context.Background(), chunkOf(t, "m", event{time: t2, body: `{"k":"v"}`})); err != nil {
			t.Fatal(err)
		}
	}
	want := "timestamp,\"k\"\n1700000001.000000000,\"v\"\n1700000001.000000000,\"v\"\n"
	if got := readFile(t, filepath.Join(dir, "m.csv")); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFileNameIsTheTagByDefault(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, nil, "Path", dir, "Format", "plain")
	for _, tag := range []string{"app.one", "app.two"} {
		if err := o.Flush(context.Background(), chunkOf(t, tag, event{time: t2, body: `{"tag":"` + tag + `"}`})); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, filepath.Join(dir, tag)); got != `{"tag":"`+tag+`"}`+"\n" {
			t.Errorf("%s: %q", tag, got)
		}
	}
}

func TestUnsafeTagIsPermanent(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, nil, "Path", dir)
	for _, tag := range []string{"../escape", "/etc/passwd", ""} {
		err := o.Flush(context.Background(), chunkOf(t, tag, event{time: t2, body: `{}`}))
		if class, _, _ := plugin.Classify(err); err == nil || class != plugin.ClassPermanent {
			t.Errorf("tag %q: error %v, want a permanent one", tag, err)
		}
	}
}

func TestMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	chunk := chunkOf(t, "x", event{time: t2, body: `{"k":1}`})

	err := newOutput(t, nil, "Path", dir).Flush(context.Background(), chunk)
	if class, _, _ := plugin.Classify(err); err == nil || class != plugin.ClassRetryable ||
		!strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "Mkdir") {
		t.Fatalf("without Mkdir: error %v, want a retryable one naming the file and Mkdir", err)
	}

	if err := newOutput(t, nil, "Path", dir, "Mkdir", "on").Flush(context.Background(), chunk); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("directory: %v %v", st, err)
	}
	if got := readFile(t, filepath.Join(dir, "x")); got != `x: [1700000001.000000000, {"k":1}]`+"\n" {
		t.Errorf("got %q", got)
	}
}

func TestUnknownDelimiterKeepsTheDefaultAndWarns(t *testing.T) {
	var logs bytes.Buffer
	dir := t.TempDir()
	o := newOutput(t, &logs, "Path", dir, "File", "f", "Format", "csv", "Delimiter", ";")
	if err := o.Flush(context.Background(), chunkOf(t, "t", event{time: t2, body: `{"a":1,"b":2}`})); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "f")); got != "1700000001.000000000,1,2\n" {
		t.Errorf("got %q", got)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "Delimiter") {
		t.Errorf("want a warning about the delimiter, logs: %s", logs.String())
	}
}

func TestMalformedRecords(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	o := newOutput(t, &logs, "Path", dir, "File", "f", "Format", "plain")
	good := chunkOf(t, "t", event{time: t2, body: `{"a":1}`})
	bad := &record.Chunk{Tag: "t", Data: append(append([]byte(nil), good.Data...), 0x92, 0xc1), Records: 2}
	if got := plugintest.DeliveredOrDropped(t, o.Flush(context.Background(), bad)); got != "malformed[1]" {
		t.Fatalf("want the good record delivered and the rest reported dropped, got %q", got)
	}
	if got := readFile(t, filepath.Join(dir, "f")); got != `{"a":1}`+"\n" {
		t.Errorf("got %q", got)
	}
	for _, format := range []string{"plain", "msgpack"} {
		o := newOutput(t, nil, "Path", dir, "File", "g", "Format", format)
		err := o.Flush(context.Background(), &record.Chunk{Tag: "t", Data: []byte{0x91}, Records: 1})
		if class, _, _ := plugin.Classify(err); err == nil || class != plugin.ClassPermanent || plugin.DropReason(err) != plugin.ReasonMalformed {
			t.Errorf("%s: error %v, want a permanent one (malformed)", format, err)
		}
	}
}

func TestConcurrentFlushesDoNotInterleave(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, nil, "Path", dir, "File", "f", "Format", "plain")
	chunk := chunkOf(t, "t", event{time: t2, body: `{"a":1}`}, event{time: t2, body: `{"b":2}`})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				if err := o.Flush(context.Background(), chunk); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := readFile(t, filepath.Join(dir, "f")); got != strings.Repeat(`{"a":1}`+"\n"+`{"b":2}`+"\n", 200) {
		t.Error("concurrent flushes interleaved their records")
	}
}

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		in   string
		want template
	}{
		{"{time} {message}", template{{text: "{time}", key: "time"}, {text: " "}, {text: "{message}", key: "message"}}},
		{"plain", template{{text: "plain"}}},
		{"a{b{c}d", template{{text: "a{b"}, {text: "{c}", key: "c"}, {text: "d"}}},
		{"x}{y", template{{text: "x}{y"}}},
		{"{}", template{{text: "{}"}}},
		{"", nil},
	}
	for _, tt := range tests {
		got := parseTemplate(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
				break
			}
		}
	}
}

func TestRotatedFileIsReopened(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, nil, "Path", dir, "File", "app.log", "Format", "plain")
	defer o.Close(context.Background())
	path := filepath.Join(dir, "app.log")
	flush := func(body string) {
		t.Helper()
		if err := o.Flush(context.Background(), chunkOf(t, "t", event{time: t2, body: body})); err != nil {
			t.Fatal(err)
		}
	}
	flush(`{"n":1}`)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	flush(`{"n":2}`)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	flush(`{"n":3}`)
	if got := readFile(t, path+".1"); got != `{"n":1}`+"\n" {
		t.Errorf("rotated file: %q", got)
	}
	if got := readFile(t, path); got != `{"n":3}`+"\n" {
		t.Errorf("file after removal: %q", got)
	}
}

func TestOpenFilesAreBoundedAndClosed(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, nil, "Path", dir, "Format", "plain")
	for i := range maxOpenFiles + 10 {
		tag := "tag" + strings.Repeat("x", i)
		if err := o.Flush(context.Background(), chunkOf(t, tag, event{time: t2, body: `{}`})); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(o.files.open); n != maxOpenFiles {
		t.Errorf("%d files open, want the cap %d", n, maxOpenFiles)
	}
	if err := o.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(o.files.open); n != 0 {
		t.Errorf("%d files open after Close", n)
	}
}

// A chunk whose text is several pieces long is written whole and in order,
// and a malformed record after the first piece keeps what came before it.
func TestLargeChunkIsWrittenInPieces(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, nil, "Path", dir, "File", "f", "Format", "plain")
	var events []event
	var want strings.Builder
	for i := range 3 * pieceSize / 100 {
		body := fmt.Sprintf(`{"seq":%d,"pad":"%s"}`, i, strings.Repeat("x", 80))
		events = append(events, event{time: t2, body: body})
		want.WriteString(body + "\n")
	}
	chunk := chunkOf(t, "t", events...)
	if err := o.Flush(context.Background(), chunk); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "f")); got != want.String() {
		t.Fatalf("file has %d bytes, want the %d of every record in order", len(got), want.Len())
	}
	if cap(o.buf) > 2*pieceSize {
		t.Errorf("the formatting buffer grew to %d bytes for a %d-byte text", cap(o.buf), want.Len())
	}

	bad := &record.Chunk{Tag: "t", Data: append(append([]byte(nil), chunk.Data...), 0x92, 0xc1), Records: chunk.Records + 1}
	// The good records are delivered and the malformed one reported dropped.
	if class, _, failed := plugin.Classify(o.Flush(context.Background(), bad)); class != plugin.ClassPartial || len(failed) != 0 {
		t.Fatalf("want the good records delivered and the bad one dropped, got class %v, %d to retry", class, len(failed))
	}
	if got := readFile(t, filepath.Join(dir, "f")); got != want.String()+want.String() {
		t.Fatalf("after a chunk with a malformed last record: %d bytes, want %d", len(got), 2*want.Len())
	}
}
