package cloudwatchlogs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	cwlemu "github.com/sluice-logs/sluice/testing/emulators/cloudwatchlogs"
)

var base = time.Now().Add(-time.Minute).Truncate(time.Millisecond)

func numbered(n int, body func(i int) string) []event {
	evs := make([]event, n)
	for i := range evs {
		evs[i] = event{time: base.Add(time.Duration(i) * time.Millisecond), body: body(i)}
	}
	return evs
}

func seqBody(i int) string { return fmt.Sprintf(`{"seq":%d}`, i) }

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		want string
	}{
		{"no stream", []string{"log_group_name", "g"}, "log_stream_prefix"},
		{"both stream forms", []string{"log_group_name", "g", "log_stream_name", "s", "log_stream_prefix", "p-"}, "not both"},
		{"namespace without emf", []string{"log_group_name", "g", "log_stream_name", "s", "metric_namespace", "ns"}, "json/emf"},
		{"add_entity", []string{"log_group_name", "g", "log_stream_name", "s", "add_entity", "on"}, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(plugin.Settings{ID: "cloudwatch_logs.0", Config: decode(t, tt.kv...)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	spec := Spec()
	for _, p := range spec.Params {
		if p.Name == "log_retention_days" {
			if p.Check("2") == nil || p.Check("30") != nil || p.Check("0") != nil {
				t.Error("log_retention_days accepts the wrong values")
			}
		}
	}
}

func TestFlushCreatesGroupStreamAndRetention(t *testing.T) {
	logs := &syncBuffer{}
	o := newOutput(t, logs, "region", "us-east-1", "log_group_name", "/ecs/logs/sample-test", "log_stream_name", "webapp",
		"auto_create_group", "true", "log_retention_days", "30", "log_group_class", "INFREQUENT_ACCESS", "new_log_group_tags", "team=web, env=prod")
	emu := emulated(t, o, cwlemu.Options{})
	if err := flush(t, o, chunkOf(t, "app", numbered(5, seqBody)...)); err != nil {
		t.Fatal(err)
	}
	if err := flush(t, o, chunkOf(t, "app", numbered(5, func(i int) string { return seqBody(i + 5) })...)); err != nil {
		t.Fatal(err)
	}
	got := messages(emu.Events("/ecs/logs/sample-test", "webapp"))
	if len(got) != 10 || got[0] != `{"seq":0}` || got[9] != `{"seq":9}` {
		t.Fatalf("events %v", got)
	}
	if g, ok := emu.Group("/ecs/logs/sample-test"); !ok || g.Retention != 30 || g.Class != "INFREQUENT_ACCESS" || g.Tags["team"] != "web" || g.Tags["env"] != "prod" {
		t.Fatalf("group %+v, %v", g, ok)
	}
	st := emu.Stats()
	if st.Calls["CreateLogGroup"] != 1 || st.Calls["PutRetentionPolicy"] != 1 || st.Calls["CreateLogStream"] != 2 || st.Calls["PutLogEvents"] != 3 {
		t.Fatalf("calls %v", st.Calls)
	}
}

func TestFlushWithoutAutoCreateGroup(t *testing.T) {
	o := newOutput(t, nil, "region", "us-east-1", "log_group_name", "missing", "log_stream_prefix", "from-")
	emu := emulated(t, o, cwlemu.Options{})
	c := chunkOf(t, "web.1", numbered(3, seqBody)...)
	err := flush(t, o, c)
	if class, _, _ := plugin.Classify(err); err == nil || class != plugin.ClassRetryable || !strings.Contains(err.Error(), "auto_create_group") {
		t.Fatalf("error %v (%v), want a retryable one naming auto_create_group", err, class)
	}
	// The operator creates the group; the engine's retry delivers.
	if _, err := o.api.CreateLogGroup(context.Background(), &cwl.CreateLogGroupInput{LogGroupName: strPtr("missing")}); err != nil {
		t.Fatal(err)
	}
	if err := flush(t, o, c); err != nil {
		t.Fatal(err)
	}
	if got := len(emu.Events("missing", "from-web.1")); got != 3 {
		t.Fatalf("%d events in from-web.1", got)
	}
}

func strPtr(s string) *string { return &s }

func TestFlushBatchesEveryLimit(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	tests := []struct {
		name  string
		evs   []event
		calls int
	}{
		{"10,000 events in one call", numbered(10000, seqBody), 1},
		{"25,000 events in three", numbered(25000, seqBody), 3},
		{"over 1 MiB in two", numbered(12, func(i int) string { return fmt.Sprintf(`{"seq":%d,"pad":%q}`, i, big) }), 2},
		{"over 24 h in two", []event{{base.Add(-25 * time.Hour), seqBody(0)}, {base, seqBody(1)}}, 2},
		{"unsorted", []event{{base.Add(time.Second), seqBody(0)}, {base, seqBody(1)}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutput(t, nil, "region", "us-east-1", "log_group_name", "g", "log_stream_name", "s", "auto_create_group", "on")
			emu := emulated(t, o, cwlemu.Options{})
			if err := flush(t, o, chunkOf(t, "t", tt.evs...)); err != nil {
				t.Fatal(err)
			}
			st := emu.Stats()
			// The first call answers ResourceNotFound and is made again.
			if got := st.Calls["PutLogEvents"] - 1; got != tt.calls {
				t.Errorf("%d PutLogEvents calls, want %d", got, tt.calls)
			}
			if got := len(emu.Events("g", "s")); got != len(tt.evs) {
				t.Errorf("%d events stored, want %d", got, len(tt.evs))
			}
		})
	}
}

func TestFlushTruncatesAndSkips(t *testing.T) {
	logs := &syncBuffer{}
	o := newOutput(t, logs, "region", "us-east-1", "log_group_name", "g", "log_stream_name", "s", "auto_create_group", "on", "log_key", "log")
	emu := emulated(t, o, cwlemu.Options{})
	huge := strings.Repeat("é", 200_000) // 400,000 bytes
	c := chunkOf(t, "t",
		event{base, `{"log":"first"}`},
		event{base, fmt.Sprintf(`{"log":%q}`, huge)},
		event{base, `{"log":""}`},
		event{base, `{"other":1}`},
		event{base, `{"log":{"nested":true}}`},
	)
	err := flush(t, o, c)
	if got := plugintest.DeliveredOrDropped(t, err); got != "empty[2] missing_key[3]" {
		t.Errorf("dropped %q, want the empty message and the record without log_key", got)
	}
	got := messages(emu.Events("g", "s"))
	if len(got) != 3 || got[0] != "first" || got[2] != `{"nested":true}` {
		t.Fatalf("messages %.80q", got)
	}
	if n := len(got[1]); n > maxMessageBytes || n < maxMessageBytes-1 || !utf8.ValidString(got[1]) {
		t.Fatalf("truncated message of %d bytes (valid UTF-8: %v)", n, utf8.ValidString(got[1]))
	}
	if !strings.Contains(logs.String(), "truncated 1 records") {
		t.Errorf("logs lack the truncation:\n%s", logs)
	}
}

func TestFlushTemplates(t *testing.T) {
	logs := &syncBuffer{}
	o := newOutput(t, logs, "region", "us-east-1", "log_group_name", "/eks/fallback", "log_group_template", "/eks/$kubernetes['namespace_name']",
		"log_stream_prefix", "node-", "log_stream_template", "$kubernetes['pod_name'].$TAG[1]", "auto_create_group", "on")
	emu := emulated(t, o, cwlemu.Options{})
	c := chunkOf(t, "kube.var",
		event{base, `{"seq":0,"kubernetes":{"namespace_name":"shop","pod_name":"cart-1"}}`},
		event{base, `{"seq":1,"kubernetes":{"namespace_name":"blog","pod_name":"web-1"}}`},
		event{base, `{"seq":2,"kubernetes":{"namespace_name":"shop","pod_name":"cart-1"}}`},
		event{base, `{"seq":3}`},
	)
	if err := flush(t, o, c); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		group, stream string
		n             int
	}{
		{"/eks/shop", "cart-1.var", 2}, {"/eks/blog", "web-1.var", 1}, {"/eks/fallback", "node-kube.var", 1},
	} {
		if got := len(emu.Events(tt.group, tt.stream)); got != tt.n {
			t.Errorf("%s/%s: %d events, want %d (groups %v)", tt.group, tt.stream, got, tt.n, emu.Groups())
		}
	}
	if !strings.Contains(logs.String(), "has no value for 1 records") {
		t.Errorf("no fallback error logged:\n%s", logs)
	}
}

// failingAPI fails chosen PutLogEvents calls (1-based) with err.
type failingAPI struct {
	logsAPI
	calls  atomic.Int32
	failOn map[int32]bool
	err    error
}

func (f *failingAPI) PutLogEvents(ctx context.Context, in *cwl.PutLogEventsInput, opts ...func(*cwl.Options)) (*cwl.PutLogEventsOutput, error) {
	if f.failOn[f.calls.Add(1)] {
		return nil, f.err
	}
	return f.logsAPI.PutLogEvents(ctx, in, opts...)
}

func TestFlushPartial(t *testing.T) {
	o := newOutput(t, nil, "region", "us-east-1", "log_group_name", "g", "log_stream_name", "s")
	emu := emulated(t, o, cwlemu.Options{})
	ctx := context.Background()
	o.api.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: strPtr("g")})
	o.api.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: strPtr("g"), LogStreamName: strPtr("s")})
	o.api = &failingAPI{logsAPI: o.api, failOn: map[int32]bool{2: true}, err: errors.New("connection reset by peer")}

	all := numbered(25000, seqBody)
	err := flush(t, o, chunkOf(t, "t", all...))
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || len(failed) != 15000 || failed[0] != 10000 || failed[len(failed)-1] != 24999 {
		t.Fatalf("class %s with %d failed records (%v), want the last 15,000 as partial", class, len(failed), err)
	}
	if got := len(emu.Events("g", "s")); got != 10000 {
		t.Fatalf("%d events delivered before the failure", got)
	}
	// The engine retries only the failed records.
	var retry []event
	for _, i := range failed {
		retry = append(retry, all[i])
	}
	if err := flush(t, o, chunkOf(t, "t", retry...)); err != nil {
		t.Fatal(err)
	}
	got := messages(emu.Events("g", "s"))
	for i, m := range got {
		if m != seqBody(i) {
			t.Fatalf("event %d is %s: lost, duplicated or out of order", i, m)
		}
	}
	if len(got) != 25000 {
		t.Fatalf("%d events", len(got))
	}
}

func TestFlushErrorClasses(t *testing.T) {
	tests := []struct {
		name   string
		faults cwlemu.Faults
		group  string
		class  plugin.ErrorClass
		want   string
	}{
		{"throttled", cwlemu.Faults{ThrottleRate: 1}, "g", plugin.ClassThrottled, "ThrottlingException"},
		{"outage", cwlemu.Faults{Unavailable: true}, "g", plugin.ClassRetryable, "ServiceUnavailableException"},
		{"network", cwlemu.Faults{DropConnections: true}, "g", plugin.ClassRetryable, "will retry"},
		{"denied", cwlemu.Faults{DenyGroups: []string{"g"}}, "g", plugin.ClassRetryable,
			"AWS denied logs:PutLogEvents on arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s"},
		{"invalid group name", cwlemu.Faults{}, "bad name!", plugin.ClassPermanent, "retrying cannot help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutput(t, nil, "region", "us-east-1", "log_group_name", tt.group, "log_stream_name", "s", "auto_create_group", "on")
			emu := emulated(t, o, cwlemu.Options{})
			emu.SetFaults(tt.faults)
			err := flush(t, o, chunkOf(t, "t", numbered(3, seqBody)...))
			class, _, _ := plugin.Classify(err)
			if class != tt.class || !strings.Contains(fmt.Sprint(err), tt.want) || !strings.Contains(fmt.Sprint(err), "cloudwatch_logs.0") {
				t.Fatalf("error %v (%s), want %s naming %q and the section", err, class, tt.class, tt.want)
			}
		})
	}
}

func TestFlushSequenceTokens(t *testing.T) {
	o := newOutput(t, nil, "region", "us-east-1", "log_group_name", "g", "log_stream_name", "s", "auto_create_group", "on")
	emu := emulated(t, o, cwlemu.Options{RequireSequenceToken: true})
	for i := 0; i < 3; i++ {
		if err := flush(t, o, chunkOf(t, "t", numbered(2, seqBody)...)); err != nil {
			t.Fatal(err)
		}
	}
	// A second instance (a restart) does not know the token: it resyncs.
	o2 := newOutput(t, nil, "region", "us-east-1", "log_group_name", "g", "log_stream_name", "s")
	o2.api = o.api
	if err := flush(t, o2, chunkOf(t, "t", numbered(2, seqBody)...)); err != nil {
		t.Fatal(err)
	}
	if got := len(emu.Events("g", "s")); got != 8 {
		t.Fatalf("%d events", got)
	}
	if emu.Stats().Errors["InvalidSequenceTokenException"] != 1 {
		t.Fatalf("errors %v", emu.Stats().Errors)
	}
}

func TestFlushRejectedEvents(t *testing.T) {
	logs := &syncBuffer{}
	o := newOutput(t, logs, "region", "us-east-1", "log_group_name", "g", "log_stream_name", "s", "auto_create_group", "on")
	emulated(t, o, cwlemu.Options{})
	old := time.Now().Add(-15 * 24 * time.Hour)
	err := flush(t, o, chunkOf(t, "t", event{old, seqBody(0)}, event{old.Add(time.Second), seqBody(1)}, event{time.Now(), seqBody(2)}))
	if got := plugintest.DeliveredOrDropped(t, err); got != "rejected[0 1]" {
		t.Fatalf("dropped %q, want the two old events", got)
	}
	if !strings.Contains(err.Error(), "2 too old") {
		t.Fatalf("rejection not described: %v", err)
	}
}

func TestFlushEMF(t *testing.T) {
	o := newOutput(t, nil, "region", "us-east-1", "log_group_name", "g", "log_stream_name", "s", "auto_create_group", "on",
		"log_format", "json/emf", "metric_namespace", "Shop", "metric_dimensions", "service;service,host")
	emu := emulated(t, o, cwlemu.Options{})
	c := chunkOf(t, "t",
		event{base, `{"service":"cart","host":"h1","latency":12.5,"count":3}`},
		event{base, `{"_aws":{"Timestamp":1},"x":1}`},
		event{base, `{"msg":"no numbers"}`},
	)
	if err := flush(t, o, c); err != nil {
		t.Fatal(err)
	}
	got := messages(emu.Events("g", "s"))
	want0 := fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Shop","Dimensions":[["service"],["service","host"]],"Metrics":[{"Name":"latency"},{"Name":"count"}]}]},"service":"cart","host":"h1","latency":12.5,"count":3}`, base.UnixMilli())
	if len(got) != 3 || got[0] != want0 || got[1] != `{"_aws":{"Timestamp":1},"x":1}` || got[2] != `{"msg":"no numbers"}` {
		t.Fatalf("messages:\n%s\nwant first:\n%s", strings.Join(got, "\n"), want0)
	}
	if st := emu.Stats(); st.EMFCalls == 0 {
		t.Fatal("no call carried x-amzn-logs-format: json/emf")
	}
}

func TestFlushManyStreamsConcurrently(t *testing.T) {
	o := newOutput(t, nil, "region", "us-east-1", "log_group_name", "g", "log_stream_prefix", "p-",
		"log_stream_template", "$stream", "auto_create_group", "on")
	emu := emulated(t, o, cwlemu.Options{})
	emu.SetFaults(cwlemu.Faults{Latency: 20 * time.Millisecond})
	c := chunkOf(t, "t", numbered(400, func(i int) string { return fmt.Sprintf(`{"seq":%d,"stream":"s%d"}`, i, i%20) })...)
	done := make(chan error, 2)
	for w := 0; w < 2; w++ {
		go func() { done <- flush(t, o, c) }()
	}
	for w := 0; w < 2; w++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got := len(emu.Streams("g")); got != 20 {
		t.Fatalf("%d streams", got)
	}
	for s := 0; s < 20; s++ {
		if got := len(emu.Events("g", fmt.Sprintf("s%d", s))); got != 40 {
			t.Errorf("stream s%d has %d events, want 40", s, got)
		}
	}
}

func TestIdleStreamsForgotten(t *testing.T) {
	o := newOutput(t, nil, "log_group_name", "g", "log_stream_name", "s")
	old := o.acquire(destination{"g", "old"})
	o.release(old)
	busy := o.acquire(destination{"g", "busy"})
	o.streamsMu.Lock()
	old.lastUsed = time.Now().Add(-5 * time.Hour)
	busy.lastUsed = time.Now().Add(-5 * time.Hour)
	o.lastSweep = time.Now().Add(-2 * time.Hour)
	o.streamsMu.Unlock()
	o.release(o.acquire(destination{"g", "new"}))
	o.streamsMu.Lock()
	defer o.streamsMu.Unlock()
	if _, ok := o.streams[destination{"g", "old"}]; ok {
		t.Error("an idle stream was kept")
	}
	if _, ok := o.streams[destination{"g", "busy"}]; !ok {
		t.Error("a stream in use was forgotten")
	}
}

// TestFlushPartialPermanent mixes a stream CloudWatch rejects (an invalid
// name from a template) with a valid one: the valid records are delivered,
// the invalid ones come back as a partial failure, and alone on the retry
// they are a permanent error the engine drops and counts.
func TestFlushPartialPermanent(t *testing.T) {
	o := newOutput(t, nil, "region", "us-east-1", "log_group_name", "g", "log_stream_name", "s", "log_stream_template", "$stream", "auto_create_group", "on")
	emu := emulated(t, o, cwlemu.Options{})
	c := chunkOf(t, "t", event{base, `{"seq":0,"stream":"ok"}`}, event{base, `{"seq":1,"stream":"bad:name"}`}, event{base, `{"seq":2,"stream":"ok"}`})
	err := flush(t, o, c)
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || len(failed) != 1 || failed[0] != 1 {
		t.Fatalf("class %s failed %v (%v), want record 1 partial", class, failed, err)
	}
	if got := len(emu.Events("g", "ok")); got != 2 {
		t.Fatalf("%d events in ok", got)
	}
	err = flush(t, o, chunkOf(t, "t", event{base, `{"seq":1,"stream":"bad:name"}`}))
	if class, _, _ := plugin.Classify(err); class != plugin.ClassPermanent {
		t.Fatalf("retry: %s (%v), want permanent", class, err)
	}
}
