package stdout

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// newOutput builds the output from classic key/value pairs, through the
// same Decode the engine uses.
func newOutput(t testing.TB, w *bytes.Buffer, kv ...string) *Output {
	t.Helper()
	sect := &config.Section{Kind: config.KindOutput, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "stdout"})
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1], Pos: config.Position{File: "test.conf", Line: 2 + i/2}})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[OUTPUT] stdout")
	if err != nil {
		t.Fatal(err)
	}
	o, err := New(plugin.Settings{ID: "stdout.0", Config: cfg}, w)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// event is one test record: a time, optional metadata and a body in JSON.
type event struct {
	time       record.Time
	meta, body string
}

func chunkOf(t testing.TB, tag string, events ...event) *record.Chunk {
	t.Helper()
	var b record.Builder
	for _, e := range events {
		var meta []byte
		if e.meta != "" {
			var err error
			if meta, err = record.AppendJSONAsMsgpack(nil, []byte(e.meta)); err != nil {
				t.Fatal(err)
			}
		}
		body, err := record.AppendJSONAsMsgpack(nil, []byte(e.body))
		if err != nil {
			t.Fatal(err)
		}
		b.Append(e.time, meta, body)
	}
	return &record.Chunk{Tag: tag, Data: b.Bytes(), Records: b.Records()}
}

const (
	t1 = record.Time(1700000000_123456789) // 2023-11-14T22:13:20.123456789Z
	t2 = record.Time(1700000001_000000000)
)

func TestFlushFormats(t *testing.T) {
	two := []event{
		{time: t1, body: `{"message":"dummy","n":1,"f":0.5,"ok":true,"none":null,"list":[1,"a"],"obj":{"k":"v"}}`},
		{time: t2, meta: `{"m":1}`, body: `{}`},
	}
	tests := []struct {
		name   string
		params []string
		events []event
		want   string
	}{
		{
			name:   "msgpack is the default, numbered per chunk",
			events: two,
			want: `[0] app.log: [[1700000000.123456789, {}], {"message"=>"dummy", "n"=>1, "f"=>0.500000, "ok"=>true, "none"=>nil, "list"=>[1, "a"], "obj"=>{"k"=>"v"}}]` + "\n" +
				`[1] app.log: [[1700000001.000000000, {"m"=>1}], {}]` + "\n",
		},
		{
			name:   "json is one array per chunk",
			params: []string{"Format", "json"},
			events: two,
			want: `[{"date":1700000000.123457,"message":"dummy","n":1,"f":0.5,"ok":true,"none":null,"list":[1,"a"],"obj":{"k":"v"}},` +
				`{"date":1700000001.0}]` + "\n",
		},
		{
			name:   "json_lines",
			params: []string{"format", "json_lines"},
			events: two,
			want: `{"date":1700000000.123457,"message":"dummy","n":1,"f":0.5,"ok":true,"none":null,"list":[1,"a"],"obj":{"k":"v"}}` + "\n" +
				`{"date":1700000001.0}` + "\n",
		},
		{
			name:   "json_stream",
			params: []string{"Format", "json_stream"},
			events: two,
			want: `{"date":1700000000.123457,"message":"dummy","n":1,"f":0.5,"ok":true,"none":null,"list":[1,"a"],"obj":{"k":"v"}}` +
				`{"date":1700000001.0}` + "\n",
		},
		{
			name:   "date key renamed",
			params: []string{"Format", "json_lines", "json_date_key", "@timestamp"},
			events: []event{{time: t1, body: `{"a":1}`}},
			want:   `{"@timestamp":1700000000.123457,"a":1}` + "\n",
		},
		{
			name:   "date key off",
			params: []string{"Format", "json_lines", "json_date_key", "Off"},
			events: []event{{time: t1, body: `{"a":1}`}},
			want:   `{"a":1}` + "\n",
		},
		{
			name:   "date key false",
			params: []string{"Format", "json_lines", "json_date_key", "false"},
			events: []event{{time: t1, body: `{}`}},
			want:   `{}` + "\n",
		},
		{
			name:   "strings are printed raw in msgpack form",
			events: []event{{time: t2, body: `{"q":"say \"hi\"\n","u":"é"}`}},
			want:   "[0] app.log: [[1700000001.000000000, {}], {\"q\"=>\"say \"hi\"\n\", \"u\"=>\"é\"}]\n",
		},
		{
			name:   "json escapes strings",
			params: []string{"Format", "json_lines", "json_date_key", "no"},
			events: []event{{time: t2, body: `{"q":"say \"hi\"\n"}`}},
			want:   `{"q":"say \"hi\"\n"}` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			o := newOutput(t, &out, tt.params...)
			if err := o.Flush(context.Background(), chunkOf(t, "app.log", tt.events...)); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("output:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestJSONDateFormats(t *testing.T) {
	tests := []struct {
		format string
		time   record.Time
		want   string
	}{
		{"double", t1, `1700000000.123457`},
		{"double", t2, `1700000001.0`},
		{"epoch", t1, `1700000000`},
		{"epoch_ms", t1, `1700000000123`},
		{"epoch_millis", t1, `1700000000123`},
		{"iso8601", t1, `"2023-11-14T22:13:20.123456Z"`},
		{"iso8601", record.Time(5_000), `"1970-01-01T00:00:00.000005Z"`},
		{"java_sql_timestamp", t1, `"2023-11-14 22:13:20.123456"`},
		{"JAVA_SQL_TIMESTAMP", t2, `"2023-11-14 22:13:21.000000"`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var out bytes.Buffer
			o := newOutput(t, &out, "Format", "json_lines", "json_date_format", tt.format)
			if err := o.Flush(context.Background(), chunkOf(t, "x", event{time: tt.time, body: `{"k":"v"}`})); err != nil {
				t.Fatal(err)
			}
			want := `{"date":` + tt.want + `,"k":"v"}` + "\n"
			if out.String() != want {
				t.Errorf("got %q, want %q", out.String(), want)
			}
		})
	}
}

func TestInvalidParametersAreConfigErrors(t *testing.T) {
	spec := Spec()
	for _, kv := range [][2]string{{"Format", "xml"}, {"json_date_format", "rfc3339"}} {
		sect := &config.Section{Kind: config.KindOutput, Params: []config.Param{
			{Key: "Name", Value: "stdout"}, {Key: kv[0], Value: kv[1], Pos: config.Position{File: "a.conf", Line: 7}}}}
		_, err := plugin.Decode(&spec, sect, "[OUTPUT] stdout")
		if err == nil || !strings.Contains(err.Error(), "a.conf:7") || !strings.Contains(err.Error(), "valid values are") {
			t.Errorf("%s %s: error %v, want a positioned error listing valid values", kv[0], kv[1], err)
		}
	}
}

func TestMalformedRecords(t *testing.T) {
	good := chunkOf(t, "t", event{time: t2, body: `{"a":1}`}, event{time: t2, body: `{"b":2}`})
	t.Run("after good records, print those", func(t *testing.T) {
		var out bytes.Buffer
		o := newOutput(t, &out, "Format", "json", "json_date_key", "off")
		c := &record.Chunk{Tag: "t", Data: append(append([]byte(nil), good.Data...), 0x92, 0x01), Records: 3}
		if got := plugintest.DeliveredOrDropped(t, o.Flush(context.Background(), c)); got != "malformed[2]" {
			t.Fatalf("want the good records delivered and the rest reported dropped, got %q", got)
		}
		if out.String() != `[{"a":1},{"b":2}]`+"\n" {
			t.Errorf("output %q", out.String())
		}
	})
	t.Run("nothing valid is permanent", func(t *testing.T) {
		var out bytes.Buffer
		o := newOutput(t, &out, "Format", "json")
		err := o.Flush(context.Background(), &record.Chunk{Tag: "t", Data: []byte{0xc1}, Records: 1})
		if class, _, _ := plugin.Classify(err); err == nil || class != plugin.ClassPermanent {
			t.Fatalf("error %v, want a permanent one", err)
		}
		if !errors.Is(err, record.ErrMalformed) {
			t.Errorf("error %v should wrap record.ErrMalformed", err)
		}
		if out.Len() != 0 {
			t.Errorf("wrote %q for a chunk with no valid record", out.String())
		}
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken") }

func TestWriteErrorIsRetryable(t *testing.T) {
	var out bytes.Buffer
	o := newOutput(t, &out)
	o.w = failingWriter{}
	err := o.Flush(context.Background(), chunkOf(t, "t", event{time: t2, body: `{}`}))
	if class, _, _ := plugin.Classify(err); err == nil || class != plugin.ClassRetryable {
		t.Fatalf("error %v, want a retryable one", err)
	}
}

func TestConcurrentFlushesDoNotInterleave(t *testing.T) {
	var out bytes.Buffer
	o := newOutput(t, &out, "Format", "json")
	chunk := chunkOf(t, "t", event{time: t2, body: `{"a":1}`}, event{time: t2, body: `{"b":2}`})
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				if err := o.Flush(context.Background(), chunk); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	line := `[{"date":1700000001.0,"a":1},{"date":1700000001.0,"b":2}]` + "\n"
	if out.String() != strings.Repeat(line, 400) {
		t.Error("concurrent flushes interleaved their output")
	}
}
