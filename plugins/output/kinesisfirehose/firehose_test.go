package kinesisfirehose

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

// newOutput builds the output from classic key/value pairs through the
// engine's Decode, with api as its Firehose client.
func newOutput(t testing.TB, api recordBatchPutter, logs io.Writer, kv ...string) *Output {
	t.Helper()
	sect := &config.Section{Kind: config.KindOutput, Pos: config.Position{File: "test.conf", Line: 1}}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "kinesis_firehose"})
	kv = append([]string{"delivery_stream", "logs", "region", "us-east-1"}, kv...)
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[OUTPUT] kinesis_firehose")
	if err != nil {
		t.Fatal(err)
	}
	s := plugin.Settings{ID: "kinesis_firehose.0", Config: cfg}
	if logs != nil {
		s.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	o, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	o.api = api
	return o
}

// chunkOf builds a chunk from JSON bodies, all at time ts.
func chunkOf(t testing.TB, ts time.Time, bodies ...string) *record.Chunk {
	t.Helper()
	var b record.Builder
	for _, js := range bodies {
		body, err := record.AppendJSONAsMsgpack(nil, []byte(js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		b.Append(record.FromTime(ts), nil, body)
	}
	return &record.Chunk{Tag: "app", Data: b.Bytes(), Records: b.Records()}
}

// fakeFirehose records the calls and answers from a script.
type fakeFirehose struct {
	mu    sync.Mutex
	calls [][][]byte
	// answer returns the error of a whole call, or the per-record error
	// codes ("" for success), given the call number and its records.
	answer func(call int, recs [][]byte) ([]string, error)
}

func (f *fakeFirehose) PutRecordBatch(_ context.Context, in *firehose.PutRecordBatchInput, _ ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	recs := make([][]byte, len(in.Records))
	for i, r := range in.Records {
		recs[i] = slices.Clone(r.Data)
	}
	f.calls = append(f.calls, recs)
	out := &firehose.PutRecordBatchOutput{FailedPutCount: aws.Int32(0)}
	var codes []string
	if f.answer != nil {
		var err error
		if codes, err = f.answer(len(f.calls)-1, recs); err != nil {
			return nil, err
		}
	}
	for i := range recs {
		e := types.PutRecordBatchResponseEntry{RecordId: aws.String(fmt.Sprint(i))}
		if i < len(codes) && codes[i] != "" {
			e = types.PutRecordBatchResponseEntry{ErrorCode: aws.String(codes[i]), ErrorMessage: aws.String("injected")}
			*out.FailedPutCount++
		}
		out.RequestResponses = append(out.RequestResponses, e)
	}
	return out, nil
}

func (f *fakeFirehose) all() []string {
	var out []string
	for _, c := range f.calls {
		for _, r := range c {
			out = append(out, string(r))
		}
	}
	return out
}

var t0 = time.Date(2026, 11, 30, 12, 34, 56, 789_000_000, time.UTC)

func TestFormats(t *testing.T) {
	tests := []struct {
		name    string
		kv      []string
		bodies  []string
		want    []string
		dropped string // plugintest.Drops of the Flush result
	}{
		{"whole record", nil, []string{`{"log":"hello","n":1}`}, []string{`{"log":"hello","n":1}` + "\n"}, ""},
		{"log_key string", []string{"log_key", "log"}, []string{`{"log":"hello","n":1}`}, []string{"hello\n"}, ""},
		{"log_key object", []string{"log_key", "k"}, []string{`{"k":{"a":1}}`}, []string{`{"a":1}` + "\n"}, ""},
		{"log_key missing is dropped", []string{"log_key", "log"}, []string{`{"msg":"x"}`, `{"log":"y"}`}, []string{"y\n"}, "missing_key[0]"},
		{"empty log_key value is dropped", []string{"log_key", "log"}, []string{`{"log":"a"}`, `{"log":""}`}, []string{"a\n"}, "empty[1]"},
		{"data_keys", []string{"data_keys", "a, c"}, []string{`{"a":1,"b":2,"c":"x"}`}, []string{`{"a":1,"c":"x"}` + "\n"}, ""},
		{"time_key", []string{"time_key", "ts"}, []string{`{"a":1}`, `{}`}, []string{`{"a":1,"ts":"2026-11-30T12:34:56"}` + "\n", `{"ts":"2026-11-30T12:34:56"}` + "\n"}, ""},
		{"time_key_format", []string{"time_key", "ts", "time_key_format", "%Y-%m-%dT%H:%M:%S.%3NZ"}, []string{`{"a":1}`},
			[]string{`{"a":1,"ts":"2026-11-30T12:34:56.789Z"}` + "\n"}, ""},
		{"simple_aggregation", []string{"simple_aggregation", "on"}, []string{`{"a":1}`, `{"a":2}`}, []string{`{"a":1}` + "\n" + `{"a":2}` + "\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFirehose{}
			o := newOutput(t, f, nil, tt.kv...)
			err := o.Flush(context.Background(), chunkOf(t, t0, tt.bodies...))
			if got := plugintest.DeliveredOrDropped(t, err); got != tt.dropped {
				t.Errorf("dropped %q, want %q", got, tt.dropped)
			}
			if got := f.all(); !slices.Equal(got, tt.want) {
				t.Errorf("sent %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGzipCompressesEachRecord(t *testing.T) {
	f := &fakeFirehose{}
	o := newOutput(t, f, nil, "compression", "gzip")
	if err := o.Flush(context.Background(), chunkOf(t, t0, `{"a":1}`, `{"a":2}`)); err != nil {
		t.Fatal(err)
	}
	got := f.all()
	if len(got) != 2 {
		t.Fatalf("%d records", len(got))
	}
	for i, rec := range got {
		zr, err := gzip.NewReader(strings.NewReader(rec))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if want := fmt.Sprintf(`{"a":%d}`+"\n", i+1); string(plain) != want {
			t.Errorf("record %d: %q, want %q", i, plain, want)
		}
	}
}

// sized returns a JSON body whose serialised line is exactly n bytes.
func sized(n int) string {
	// {"p":"..."}\n is 9 bytes plus the padding.
	return `{"p":"` + strings.Repeat("x", n-9) + `"}`
}

func TestBatchingLimits(t *testing.T) {
	tests := []struct {
		name      string
		sizes     []int
		wantCalls []int // records per call
		wantSent  int
		dropped   string // plugintest.Drops of the Flush result
	}{
		{"500 records per call", repeat(1201, 20), []int{500, 500, 201}, 1201, ""},
		{"4 MiB per call", repeat(9, 512*1024), []int{8, 1}, 9, ""},
		{"a record of exactly 1,000 KiB is sent", []int{MaxRecordBytes}, []int{1}, 1, ""},
		{"a record over 1,000 KiB is dropped, the rest sent", []int{100, MaxRecordBytes + 1, 100}, []int{2}, 2, "oversize[1]"},
		{"only oversize records: nothing sent, all reported", []int{MaxRecordBytes + 1, MaxRecordBytes + 5}, nil, 0, "oversize[0 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFirehose{}
			var logs bytes.Buffer
			o := newOutput(t, f, &logs)
			bodies := make([]string, len(tt.sizes))
			for i, n := range tt.sizes {
				bodies[i] = sized(n)
			}
			err := o.Flush(context.Background(), chunkOf(t, t0, bodies...))
			if got := plugintest.DeliveredOrDropped(t, err); got != tt.dropped {
				t.Errorf("dropped %q, want %q", got, tt.dropped)
			}
			var calls []int
			sent := 0
			for _, c := range f.calls {
				calls = append(calls, len(c))
				size := 0
				for _, r := range c {
					size += len(r)
					if len(r) > MaxRecordBytes {
						t.Errorf("record of %d bytes sent", len(r))
					}
				}
				if size > MaxCallBytes {
					t.Errorf("call of %d bytes", size)
				}
				sent += len(c)
			}
			if !slices.Equal(calls, tt.wantCalls) || sent != tt.wantSent {
				t.Errorf("calls %v (%d records), want %v (%d)", calls, sent, tt.wantCalls, tt.wantSent)
			}
			if tt.wantSent < len(tt.sizes) && !strings.Contains(err.Error(), "1,000 KiB") {
				t.Errorf("drop error does not name the limit: %v", err)
			}
		})
	}
}

func repeat(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "msg", Fault: smithy.FaultServer}
}

func TestFailures(t *testing.T) {
	seq := func(n int) []string {
		b := make([]string, n)
		for i := range b {
			b[i] = fmt.Sprintf(`{"seq":%d}`, i)
		}
		return b
	}
	tests := []struct {
		name       string
		kv         []string
		bodies     []string
		answer     func(call int, recs [][]byte) ([]string, error)
		wantClass  plugin.ErrorClass
		wantFailed []int
	}{
		{"per-record failures map to chunk indexes", []string{"log_key", "seq"},
			// Record 1 lacks log_key and is skipped: batch position 2 is chunk index 3.
			[]string{`{"seq":0}`, `{"x":1}`, `{"seq":2}`, `{"seq":3}`, `{"seq":4}`},
			func(int, [][]byte) ([]string, error) {
				return []string{"", "InternalFailure", "ServiceUnavailableException", ""}, nil
			},
			plugin.ClassPartial, []int{2, 3}},
		{"failures across calls", nil, seq(1100),
			func(call int, recs [][]byte) ([]string, error) {
				codes := make([]string, len(recs))
				codes[len(recs)-1] = "InternalFailure"
				return codes, nil
			},
			plugin.ClassPartial, []int{499, 999, 1099}},
		{"first call fails as a whole: the error's own class", nil, seq(10),
			func(int, [][]byte) ([]string, error) { return nil, apiErr("ServiceUnavailableException") },
			plugin.ClassThrottled, nil},
		{"validation error is permanent", nil, seq(10),
			func(int, [][]byte) ([]string, error) { return nil, apiErr("InvalidArgumentException") },
			plugin.ClassPermanent, nil},
		{"a later call fails as a whole: it and the rest are resent", nil, seq(1100),
			func(call int, _ [][]byte) ([]string, error) {
				if call == 1 {
					return nil, apiErr("InternalFailure")
				}
				return nil, nil
			},
			plugin.ClassPartial, rangeInts(500, 1100)},
		{"every record throttled is throttling", nil, seq(3),
			func(int, [][]byte) ([]string, error) {
				return []string{"ServiceUnavailableException", "ServiceUnavailableException", "ServiceUnavailableException"}, nil
			},
			plugin.ClassThrottled, nil},
		{"an aggregated record fails with all its records", []string{"simple_aggregation", "on"}, seq(3),
			func(int, [][]byte) ([]string, error) { return []string{"InternalFailure"}, nil },
			plugin.ClassPartial, []int{0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutput(t, &fakeFirehose{answer: tt.answer}, nil, tt.kv...)
			err := o.Flush(context.Background(), chunkOf(t, t0, tt.bodies...))
			if err == nil {
				t.Fatal("no error")
			}
			class, _, failed := plugin.Classify(err)
			if class != tt.wantClass || !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("class %s failed %v, want %s %v (%v)", class, head(failed), tt.wantClass, head(tt.wantFailed), err)
			}
			if !strings.Contains(err.Error(), "kinesis_firehose.0") {
				t.Errorf("error does not name the section: %v", err)
			}
		})
	}
}

func rangeInts(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func head(s []int) []int {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

func TestMissingDeliveryStream(t *testing.T) {
	sect := &config.Section{Kind: config.KindOutput}
	sect.Params = []config.Param{{Key: "Name", Value: "kinesis_firehose"}}
	spec := Spec()
	if _, err := plugin.Decode(&spec, sect, "[OUTPUT] kinesis_firehose"); err == nil || !strings.Contains(err.Error(), "delivery_stream") {
		t.Fatalf("error %v, want one naming delivery_stream", err)
	}
}

// TestMissingDeliveryStreamIsRetried: a delivery stream that does not
// exist (ResourceNotFoundException) fails the chunk as retryable, not
// permanent, with a message naming it, its region and the parameter to fix.
func TestMissingDeliveryStreamIsRetried(t *testing.T) {
	o := newOutput(t, &fakeFirehose{answer: func(int, [][]byte) ([]string, error) {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Firehose logs under account 000000000000 not found.", Fault: smithy.FaultClient}
	}}, nil)
	err := o.Flush(context.Background(), chunkOf(t, time.Unix(1700000000, 0), `{"seq":0}`))
	if class, _, _ := plugin.Classify(err); class != plugin.ClassRetryable {
		t.Fatalf("class %s (%v), want retryable: the records stay buffered", class, err)
	}
	want := "Firehose delivery stream \"logs\" does not exist in us-east-1; create it or fix `delivery_stream` in [OUTPUT] kinesis_firehose.0; records stay buffered"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q lacks %q", err, want)
	}
}
