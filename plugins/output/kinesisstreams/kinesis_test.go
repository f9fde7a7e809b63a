package kinesisstreams

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
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/testing/kcl"
)

func newOutput(t testing.TB, api recordsPutter, logs io.Writer, kv ...string) *Output {
	t.Helper()
	sect := &config.Section{Kind: config.KindOutput}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "kinesis_streams"})
	kv = append([]string{"stream", "logs", "region", "us-east-1"}, kv...)
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[OUTPUT] kinesis_streams")
	if err != nil {
		t.Fatal(err)
	}
	s := plugin.Settings{ID: "kinesis_streams.0", Config: cfg}
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

func chunkOf(t testing.TB, bodies ...string) *record.Chunk {
	t.Helper()
	var b record.Builder
	for _, js := range bodies {
		body, err := record.AppendJSONAsMsgpack(nil, []byte(js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		b.Append(record.FromTime(time.Unix(1700000000, 0)), nil, body)
	}
	return &record.Chunk{Tag: "app", Data: b.Bytes(), Records: b.Records()}
}

type sent struct {
	key  string
	data []byte
}

type fakeKinesis struct {
	mu     sync.Mutex
	calls  [][]sent
	answer func(call int, recs []sent) ([]string, error)
}

func (f *fakeKinesis) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	recs := make([]sent, len(in.Records))
	for i, r := range in.Records {
		recs[i] = sent{*r.PartitionKey, slices.Clone(r.Data)}
	}
	f.calls = append(f.calls, recs)
	var codes []string
	if f.answer != nil {
		var err error
		if codes, err = f.answer(len(f.calls)-1, recs); err != nil {
			return nil, err
		}
	}
	out := &kinesis.PutRecordsOutput{FailedRecordCount: aws.Int32(0)}
	for i := range recs {
		e := types.PutRecordsResultEntry{SequenceNumber: aws.String("1"), ShardId: aws.String("shardId-000000000000")}
		if i < len(codes) && codes[i] != "" {
			e = types.PutRecordsResultEntry{ErrorCode: aws.String(codes[i]), ErrorMessage: aws.String("injected")}
			*out.FailedRecordCount++
		}
		out.Records = append(out.Records, e)
	}
	return out, nil
}

// userRecords deaggregates everything sent, as a KCL consumer would.
func (f *fakeKinesis) userRecords(t *testing.T) []kcl.UserRecord {
	t.Helper()
	var out []kcl.UserRecord
	for _, c := range f.calls {
		for _, r := range c {
			recs, _, err := kcl.Deaggregate(r.key, r.data)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, recs...)
		}
	}
	return out
}

func TestPartitionKeys(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		body string
		want string // "" for random
	}{
		{"random without partition_key", nil, `{"a":1}`, ""},
		{"top-level key", []string{"partition_key", "id"}, `{"id":"c-1"}`, "c-1"},
		{"record accessor", []string{"partition_key", "$k['pod']"}, `{"k":{"pod":"p-7"}}`, "p-7"},
		{"Go plugin nesting", []string{"partition_key", "k->pod"}, `{"k":{"pod":"p-7"}}`, "p-7"},
		{"number", []string{"partition_key", "n"}, `{"n":42}`, "42"},
		{"missing key is random", []string{"partition_key", "id"}, `{"x":1}`, ""},
		{"cut to 256 characters", []string{"partition_key", "id"}, `{"id":"` + strings.Repeat("é", 300) + `"}`, strings.Repeat("é", 256)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeKinesis{}
			o := newOutput(t, f, nil, tt.kv...)
			if err := o.Flush(context.Background(), chunkOf(t, tt.body, tt.body)); err != nil {
				t.Fatal(err)
			}
			k0, k1 := f.calls[0][0].key, f.calls[0][1].key
			if tt.want == "" {
				if len(k0) != 32 || k0 == k1 {
					t.Errorf("keys %q %q, want distinct random keys", k0, k1)
				}
			} else if k0 != tt.want {
				t.Errorf("key %q, want %q", k0, tt.want)
			}
			if string(f.calls[0][0].data) != strings.TrimSpace(string(f.calls[0][0].data))+"\n" {
				t.Errorf("record not newline-terminated: %q", f.calls[0][0].data)
			}
		})
	}
}

// body returns a JSON body whose serialised line is n bytes.
func body(n int) string { return `{"p":"` + strings.Repeat("x", n-9) + `"}` }

func TestBatchingLimits(t *testing.T) {
	tests := []struct {
		name      string
		kv        []string
		sizes     []int
		wantCalls []int
		dropped   string // plugintest.Drops of the Flush result
	}{
		{"500 records per call", nil, repeat(1001, 20), []int{500, 500, 1}, ""},
		// 5 records of 1 MiB less their 5-byte keys fill a call exactly.
		{"5 MiB per call counts keys", []string{"partition_key", "k"}, repeat(6, MaxRecordBytes-5), []int{5, 1}, ""},
		{"1 MiB per record counts the key", []string{"partition_key", "k"}, []int{MaxRecordBytes - 5, MaxRecordBytes - 4, 100}, []int{2}, "oversize[1]"},
		{"oversize with aggregation", []string{"aggregation", "on"}, []int{100, MaxRecordBytes + 1, 100, MaxRecordBytes + 2}, []int{1}, "oversize[1 3]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeKinesis{}
			var logs bytes.Buffer
			o := newOutput(t, f, &logs, tt.kv...)
			bodies := make([]string, len(tt.sizes))
			for i, n := range tt.sizes {
				bodies[i] = body(n)
				if len(tt.kv) > 0 {
					// {"k":"key-1","p":"..."} and its newline: 21 bytes and the padding.
					bodies[i] = `{"k":"key-1","p":"` + strings.Repeat("x", n-21) + `"}`
				}
			}
			err := o.Flush(context.Background(), chunkOf(t, bodies...))
			if got := plugintest.DeliveredOrDropped(t, err); got != tt.dropped {
				t.Errorf("dropped %q, want %q", got, tt.dropped)
			}
			if tt.dropped != "" && !strings.Contains(err.Error(), "1 MiB record limit") {
				t.Errorf("drop error does not name the limit: %v", err)
			}
			var calls []int
			for _, c := range f.calls {
				calls = append(calls, len(c))
				size := 0
				for _, r := range c {
					size += len(r.data) + len(r.key)
					if len(r.data)+len(r.key) > MaxRecordBytes {
						t.Errorf("record of %d bytes with key", len(r.data)+len(r.key))
					}
				}
				if size > MaxCallBytes {
					t.Errorf("call of %d bytes", size)
				}
			}
			if !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("calls %v, want %v; logs %s", calls, tt.wantCalls, logs.String())
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

func TestSimpleAggregation(t *testing.T) {
	f := &fakeKinesis{}
	o := newOutput(t, f, nil, "simple_aggregation", "on", "partition_key", "k")
	var bodies []string
	for i := 0; i < 3000; i++ {
		bodies = append(bodies, fmt.Sprintf(`{"k":"key-%d","seq":%d,"pad":"%s"}`, i%3, i, strings.Repeat("z", 700)))
	}
	if err := o.Flush(context.Background(), chunkOf(t, bodies...)); err != nil {
		t.Fatal(err)
	}
	var joined strings.Builder
	n := 0
	for _, c := range f.calls {
		for _, r := range c {
			n++
			if len(r.data)+len(r.key) > MaxRecordBytes || r.key != "key-"+string(r.data[len(`{"k":"key-`)]) {
				t.Fatalf("record of %d bytes under key %q", len(r.data), r.key)
			}
			joined.Write(r.data)
		}
	}
	if want := strings.Join(bodies, "\n") + "\n"; joined.String() != want || n > 4 {
		t.Fatalf("%d Kinesis records; joined data differs from the records", n)
	}
}

func TestAggregationDeaggregatesAsKCL(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
	}{
		{"random shared key", nil},
		{"partition keys per record", []string{"partition_key", "k"}},
		{"gzip", []string{"compression", "gzip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeKinesis{}
			o := newOutput(t, f, nil, append([]string{"aggregation", "on"}, tt.kv...)...)
			var bodies []string
			for i := 0; i < 3000; i++ {
				bodies = append(bodies, fmt.Sprintf(`{"k":"key-%d","seq":%d,"pad":"%s"}`, i%7, i, strings.Repeat("y", i%900)))
			}
			if err := o.Flush(context.Background(), chunkOf(t, bodies...)); err != nil {
				t.Fatal(err)
			}
			kinesisRecords := 0
			for _, c := range f.calls {
				kinesisRecords += len(c)
				for _, r := range c {
					if len(r.data)+len(r.key) > MaxRecordBytes {
						t.Fatalf("aggregated record of %d bytes", len(r.data)+len(r.key))
					}
				}
			}
			got := f.userRecords(t)
			if len(got) != len(bodies) || kinesisRecords >= len(bodies)/100 {
				t.Fatalf("%d user records in %d Kinesis records, want %d in far fewer", len(got), kinesisRecords, len(bodies))
			}
			for i, r := range got {
				data := r.Data
				if len(tt.kv) > 0 && tt.kv[0] == "compression" {
					zr, err := gzip.NewReader(bytes.NewReader(data))
					if err != nil {
						t.Fatal(err)
					}
					data, _ = io.ReadAll(zr)
				}
				if want := bodies[i] + "\n"; string(data) != want {
					t.Fatalf("user record %d: %.60q, want %.60q", i, data, want)
				}
				if len(tt.kv) > 0 && tt.kv[0] == "partition_key" && r.PartitionKey != fmt.Sprintf("key-%d", i%7) {
					t.Fatalf("user record %d: partition key %q", i, r.PartitionKey)
				}
			}
		})
	}
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
		answer     func(call int, recs []sent) ([]string, error)
		wantClass  plugin.ErrorClass
		wantFailed []int
	}{
		{"per-record failures map to chunk indexes", []string{"log_key", "seq"},
			[]string{`{"seq":0}`, `{"x":1}`, `{"seq":2}`, `{"seq":3}`},
			func(int, []sent) ([]string, error) { return []string{"", throttleCode, "InternalFailure"}, nil },
			plugin.ClassPartial, []int{2, 3}},
		{"whole call throttled", nil, seq(3),
			func(int, []sent) ([]string, error) { return nil, apiErr(throttleCode) },
			plugin.ClassThrottled, nil},
		{"every record throttled", nil, seq(2),
			func(int, []sent) ([]string, error) { return []string{throttleCode, throttleCode}, nil },
			plugin.ClassThrottled, nil},
		{"a later call fails as a whole", nil, seq(600),
			func(call int, _ []sent) ([]string, error) {
				if call == 1 {
					return nil, apiErr("InternalFailure")
				}
				return nil, nil
			},
			plugin.ClassPartial, rangeInts(500, 600)},
		{"a failed joined record fails all its records", []string{"simple_aggregation", "on"}, seq(4),
			func(int, []sent) ([]string, error) { return []string{"InternalFailure"}, nil },
			plugin.ClassPartial, []int{0, 1, 2, 3}},
		{"a failed aggregate fails all its records", []string{"aggregation", "on"}, seq(5),
			func(int, []sent) ([]string, error) { return []string{"InternalFailure"}, nil },
			plugin.ClassPartial, []int{0, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutput(t, &fakeKinesis{answer: tt.answer}, nil, tt.kv...)
			err := o.Flush(context.Background(), chunkOf(t, tt.bodies...))
			if err == nil {
				t.Fatal("no error")
			}
			class, _, failed := plugin.Classify(err)
			if class != tt.wantClass || !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("class %s failed %v, want %s %v (%v)", class, failed, tt.wantClass, tt.wantFailed, err)
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

// FuzzKPLAggregate checks that any set of records and keys aggregates into
// a record the independent KCL decoder reads back exactly.
func FuzzKPLAggregate(f *testing.F) {
	f.Add([]byte("hello\x00world\x00!"), []byte("k1\x00k2"))
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{0x80}, 300), []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data, keys []byte) {
		recs := bytes.Split(data, []byte{0})
		ks := strings.Split(string(keys), "\x00")
		var a kplAggregator
		for i, r := range recs {
			a.add(ks[i%len(ks)], r)
		}
		out := a.appendTo(nil)
		if len(out) != kplOverhead+a.size {
			t.Fatalf("size %d, predicted %d", len(out), kplOverhead+a.size)
		}
		got, aggregated, err := kcl.Deaggregate("outer", out)
		if err != nil || !aggregated {
			// proto2 strings are not checked for UTF-8: any error is a bug.
			t.Fatalf("deaggregate: %v (aggregated %v)", err, aggregated)
		}
		if len(got) != len(recs) {
			t.Fatalf("%d records back, want %d", len(got), len(recs))
		}
		for i, r := range got {
			if !bytes.Equal(r.Data, recs[i]) || r.PartitionKey != ks[i%len(ks)] {
				t.Fatalf("record %d: %q/%q, want %q/%q", i, r.Data, r.PartitionKey, recs[i], ks[i%len(ks)])
			}
		}
	})
}

func BenchmarkAggregate(b *testing.B) {
	line := []byte(`{"log":"` + strings.Repeat("a", 1000) + `"}` + "\n")
	b.SetBytes(int64(len(line)) * 900)
	b.ReportAllocs()
	var a kplAggregator
	var out []byte
	for b.Loop() {
		a.reset()
		for i := 0; i < 900; i++ {
			a.add("key", line)
		}
		out = a.appendTo(out[:0])
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name         string
		kv           []string
		wantEndpoint string
		wantErr      string
	}{
		{"port added to an endpoint without one", []string{"endpoint", "http://127.0.0.1", "port", "4567"}, "http://127.0.0.1:4567", ""},
		{"endpoint's own port kept", []string{"endpoint", "http://127.0.0.1:1234", "port", "4567"}, "http://127.0.0.1:1234", ""},
		{"both aggregations", []string{"aggregation", "on", "simple_aggregation", "on"}, "", "simple_aggregation"},
		{"bad partition_key", []string{"partition_key", "$a['b"}, "", "partition_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sect := &config.Section{Kind: config.KindOutput}
			sect.Params = []config.Param{{Key: "Name", Value: "kinesis_streams"}, {Key: "stream", Value: "s"}}
			for i := 0; i+1 < len(tt.kv); i += 2 {
				sect.Params = append(sect.Params, config.Param{Key: tt.kv[i], Value: tt.kv[i+1]})
			}
			spec := Spec()
			cfg, err := plugin.Decode(&spec, sect, "[OUTPUT] kinesis_streams")
			if err != nil {
				t.Fatal(err)
			}
			o, err := New(plugin.Settings{ID: "kinesis_streams.0", Config: cfg})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || o.aws.Endpoint != tt.wantEndpoint {
				t.Fatalf("endpoint %q, %v; want %q", o.aws.Endpoint, err, tt.wantEndpoint)
			}
		})
	}
	if got := goPluginKey("kubernetes->labels->app"); got != "$kubernetes['labels']['app']" {
		t.Errorf("goPluginKey: %q", got)
	}
}

// TestMissingStreamIsRetried: a stream that does not exist
// (ResourceNotFoundException) fails the chunk as retryable, not permanent,
// with a message naming the stream, its region and the parameter to fix.
func TestMissingStreamIsRetried(t *testing.T) {
	o := newOutput(t, &fakeKinesis{answer: func(int, []sent) ([]string, error) {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Stream logs under account 000000000000 not found.", Fault: smithy.FaultClient}
	}}, nil)
	err := o.Flush(context.Background(), chunkOf(t, `{"seq":0}`))
	if class, _, _ := plugin.Classify(err); class != plugin.ClassRetryable {
		t.Fatalf("class %s (%v), want retryable: the records stay buffered", class, err)
	}
	want := "Kinesis stream \"logs\" does not exist in us-east-1; create it or fix `stream` in [OUTPUT] kinesis_streams.0; records stay buffered"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q lacks %q", err, want)
	}
}

// The records after one that does not decode cannot be framed: the ones
// before it are sent, the rest reported dropped as malformed.
func TestMalformedRestReported(t *testing.T) {
	f := &fakeKinesis{}
	o := newOutput(t, f, nil)
	good := chunkOf(t, body(50), body(60))
	bad := &record.Chunk{Tag: good.Tag, Data: append(append([]byte(nil), good.Data...), 0x92, 0xc1), Records: 4}
	if got := plugintest.DeliveredOrDropped(t, o.Flush(context.Background(), bad)); got != "malformed[2 3]" {
		t.Errorf("dropped %q, want the undecodable rest", got)
	}
	if len(f.calls) != 1 || len(f.calls[0]) != 2 {
		t.Errorf("calls %v, want the 2 good records in one call", f.calls)
	}
}
