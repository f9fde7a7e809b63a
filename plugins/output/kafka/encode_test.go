package kafka

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
	"github.com/twmb/franz-go/pkg/kerr"
)

// t0 is 2024-01-01T00:00:00.123456789Z.
const t0 = record.Time(1704067200_123456789)

func event(t testing.TB, js string) *record.Event { return eventAt(t, t0, js) }

func eventAt(t testing.TB, at record.Time, js string) *record.Event {
	t.Helper()
	var b record.Builder
	body, err := record.AppendJSONAsMsgpack(nil, []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	b.Append(at, nil, body)
	it := record.NewIterator(b.Bytes())
	if !it.Next() {
		t.Fatal(it.Err())
	}
	ev := *it.Event()
	return &ev
}

func newOutput(t testing.TB, kv ...string) *Output {
	t.Helper()
	o, err := New(plugintest.Settings(t, Spec(), append([]string{"brokers", "127.0.0.1:9092"}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestEncodeValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		kv   []string
		body string
		want string
	}{
		{"json double", nil, `{"msg":"hi","n":1}`, `{"@timestamp":1704067200.1234567,"msg":"hi","n":1}`},
		{"json empty body", nil, `{}`, `{"@timestamp":1704067200.1234567}`},
		{"json whole second", []string{"format", "json"}, `{"whole":true}`, `{"@timestamp":1704067200.0,"whole":true}`},
		{"json iso8601", []string{"timestamp_format", "iso8601"}, `{"a":"b"}`, `{"@timestamp":"2024-01-01T00:00:00.123456Z","a":"b"}`},
		{"json iso8601_ns", []string{"timestamp_format", "iso8601_ns", "timestamp_key", "ts"}, `{"a":"b"}`, `{"ts":"2024-01-01T00:00:00.123456789Z","a":"b"}`},
		{"json escapes key", []string{"timestamp_key", `t"k`}, `{"a":[1,{"b":null}]}`, `{"t\"k":1704067200.1234567,"a":[1,{"b":null}]}`},
		{"raw", []string{"format", "raw", "raw_log_key", "log"}, `{"log":"plain line\n","x":1}`, "plain line\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newOutput(t, tc.kv...)
			ev := event(t, tc.body)
			if strings.Contains(tc.body, "whole") {
				ev = eventAt(t, 1704067200e9, tc.body)
			}
			got, err := o.encoder.appendValue([]byte("prefix"), ev)
			if err != nil {
				t.Fatal(err)
			}
			if s := strings.TrimPrefix(string(got), "prefix"); s != tc.want {
				t.Errorf("value\n got %s\nwant %s", s, tc.want)
			}
			if o.encoder.format == formatJSON && !json.Valid(got[len("prefix"):]) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
}

func TestEncodeMsgpack(t *testing.T) {
	o := newOutput(t, "format", "msgpack", "timestamp_format", "iso8601")
	got, err := o.encoder.appendValue(nil, event(t, `{"msg":"hi","n":2}`))
	if err != nil {
		t.Fatal(err)
	}
	js, rest, err := record.AppendJSON(nil, got)
	if err != nil || len(rest) != 0 {
		t.Fatalf("value is not one msgpack map: %v, %d bytes left", err, len(rest))
	}
	if want := `{"@timestamp":"2024-01-01T00:00:00.123456Z","msg":"hi","n":2}`; string(js) != want {
		t.Errorf("got %s want %s", js, want)
	}
	o = newOutput(t, "format", "msgpack")
	got, _ = o.encoder.appendValue(nil, event(t, `{}`))
	if n, rest, err := msgp.ReadMapHeaderBytes(got); err != nil || n != 1 {
		t.Fatalf("map of %d, %v", n, err)
	} else if _, rest, _ := msgp.ReadStringBytes(rest); msgp.NextType(rest) != msgp.Float64Type {
		t.Errorf("double timestamp must be a msgpack float64, got %v", msgp.NextType(rest))
	}
}

func TestEncodeRawWithoutKeyIsPermanent(t *testing.T) {
	o := newOutput(t, "format", "raw", "raw_log_key", "log")
	for _, body := range []string{`{"other":"x"}`, `{"log":42}`} {
		if _, err := o.encoder.appendValue(nil, event(t, body)); err != errNoRawKey || !isLocal(err) {
			t.Errorf("%s: err = %v, want errNoRawKey", body, err)
		}
	}
}

func TestTopicAndKey(t *testing.T) {
	for _, tc := range []struct {
		name      string
		kv        []string
		body      string
		wantTopic string
		wantKey   string
	}{
		{"default topic", nil, `{"a":1}`, "fluent-bit", ""},
		{"first of topics", []string{"topics", "logs, audit"}, `{"a":1}`, "logs", ""},
		{"topic_key listed", []string{"topics", "logs,audit", "topic_key", "t"}, `{"t":"audit"}`, "audit", ""},
		{"topic_key unlisted", []string{"topics", "logs,audit", "topic_key", "t"}, `{"t":"other"}`, "logs", ""},
		{"topic_key not a string", []string{"topics", "logs,audit", "topic_key", "t"}, `{"t":1}`, "logs", ""},
		{"dynamic", []string{"topics", "logs", "topic_key", "t", "dynamic_topic", "on"}, `{"t":"team-a.app"}`, "team-a.app", ""},
		{"dynamic invalid name", []string{"topics", "logs", "topic_key", "t", "dynamic_topic", "on"}, `{"t":"a,b"}`, "logs", ""},
		{"static key", []string{"message_key", "k1"}, `{"a":1}`, "fluent-bit", "k1"},
		{"key field", []string{"message_key", "k1", "message_key_field", "id"}, `{"id":"abc"}`, "fluent-bit", "abc"},
		{"key field missing", []string{"message_key", "k1", "message_key_field", "id"}, `{"x":"abc"}`, "fluent-bit", "k1"},
		{"key field not string", []string{"message_key_field", "id"}, `{"id":7}`, "fluent-bit", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newOutput(t, tc.kv...)
			ev := event(t, tc.body)
			if got := o.router.topic(ev.Body); got != tc.wantTopic {
				t.Errorf("topic %q, want %q", got, tc.wantTopic)
			}
			if got := messageKey(ev.Body, o.keyField, o.key); string(got) != tc.wantKey {
				t.Errorf("key %q, want %q", got, tc.wantKey)
			}
		})
	}
}

func TestDynamicTopicsAreBounded(t *testing.T) {
	o := newOutput(t, "topics", "logs", "topic_key", "t", "dynamic_topic", "on")
	for i := range maxDynamicTopics + 10 {
		o.router.topic(event(t, `{"t":"topic-`+strconv.Itoa(i)+`"}`).Body)
	}
	if len(o.router.learned) != maxDynamicTopics {
		t.Errorf("learned %d topics, want the cap %d", len(o.router.learned), maxDynamicTopics)
	}
	if got := o.router.topic(event(t, `{"t":"one-more"}`).Body); got != "logs" {
		t.Errorf("beyond the cap: %q, want the default", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{"topics", "ok", "format", "raw"}, "raw_log_key: is required by format raw"},
		{[]string{"topics", "bad topic"}, "not a valid Kafka topic name"},
		{[]string{"dynamic_topic", "on"}, "dynamic_topic: needs topic_key"},
		{[]string{"rdkafka.request.required.acks", "1", "rdkafka.enable.idempotence", "true"}, "rdkafka.enable.idempotence: needs rdkafka.request.required.acks -1"},
		{[]string{"rdkafka.sasl.mechanism", "PLAIN"}, "rdkafka.security.protocol: is plaintext, but rdkafka.sasl.mechanism is set"},
		{[]string{"rdkafka.security.protocol", "sasl_ssl", "rdkafka.sasl.mechanism", "SCRAM-SHA-256"}, "needs rdkafka.sasl.username and rdkafka.sasl.password"},
		{[]string{"rdkafka.security.protocol", "sasl_ssl"}, "rdkafka.sasl.mechanism: is not set"},
		{[]string{"rdkafka.sasl.mechanism", "GSSAPI"}, "unsupported SASL mechanism"},
		{[]string{"aws_msk_iam_cluster_arn", "arn:aws:s3:::bucket"}, "invalid MSK cluster ARN"},
		{[]string{"aws_msk_iam", "on", "rdkafka.security.protocol", "ssl"}, "AWS MSK IAM needs sasl_ssl"},
		{[]string{"rdkafka.ssl.certificate.location", "/c.pem"}, "needs both rdkafka.ssl.certificate.location and rdkafka.ssl.key.location"},
		{[]string{"format", "gelf"}, "valid values are json, msgpack, raw"},
		{[]string{"rdkafka.compression.codec", "brotli"}, "valid values are none, gzip, snappy, lz4, zstd"},
		{[]string{"rdkafka.no.such.property", "1"}, `unknown parameter "rdkafka.no.such.property"`},
	} {
		s, err := plugintest.TrySettings(Spec(), append([]string{"brokers", "127.0.0.1:9092"}, tc.kv...)...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to contain %q", tc.kv, err, tc.want)
		}
	}
	if _, err := plugintest.TrySettings(Spec(), "topics", "x"); err == nil || !strings.Contains(err.Error(), `missing required parameter "brokers"`) {
		t.Errorf("brokers must be required: %v", err)
	}
	s := plugintest.Settings(t, Spec(), "brokers", "kafka-without-port")
	if _, err := New(s); err == nil || !strings.Contains(err.Error(), "has no port") {
		t.Errorf("broker without port: %v", err)
	}
}

func TestAcceptedConfigurations(t *testing.T) {
	for _, kv := range [][]string{
		{"aws_msk_iam_cluster_arn", "arn:aws:kafka:eu-west-1:123456789012:cluster/logs/abcd-2"},
		{"rdkafka.sasl.mechanism", "aws_msk_iam"},
		{"rdkafka.security.protocol", "SASL_SSL", "rdkafka.sasl.mechanism", "scram-sha-512", "rdkafka.sasl.username", "u", "rdkafka.sasl.password", "p"},
		{"rdkafka.request.required.acks", "1"},
		{"rdkafka.acks", "all", "rdkafka.compression.type", "zstd", "rdkafka.queue.buffering.max.ms", "50"},
		{"rdkafka.log.connection.close", "false", "group_id", "x"},
		{"rdkafka.partitioner", "murmur2_random"},
	} {
		s, err := plugintest.TrySettings(Spec(), append([]string{"brokers", "b1:9092,b2:9092"}, kv...)...)
		if err == nil {
			_, err = New(s)
		}
		if err != nil {
			t.Errorf("%v: %v", kv, err)
		}
	}
}

// Kafka's own test vectors (clients UtilsTest.testMurmur2).
func TestMurmur2(t *testing.T) {
	for in, want := range map[string]int32{
		"21": -973932308, "foobar": -790332482, "a-little-bit-long-string": -985981536,
		"a-little-bit-longer-string": -1486304829, "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971, "abc": 479470107,
	} {
		if got := int32(murmur2([]byte(in))); got != want {
			t.Errorf("murmur2(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestOutcome(t *testing.T) {
	o := newOutput(t)
	chunk := &record.Chunk{Tag: "t", Records: 3}
	retry := errString("broker unavailable")
	if err := o.outcome(chunk, []error{nil, nil, nil}); err != nil {
		t.Errorf("all delivered: %v", err)
	}
	big := fmt.Errorf("produce: %w", kerr.MessageTooLarge)
	for _, tc := range []struct {
		name    string
		errs    []error
		class   plugin.ErrorClass
		failed  string
		dropped string // plugintest.Drops
		reason  string // of a permanent error
	}{
		{"mixed: the key-less record dropped at once", []error{nil, retry, errNoRawKey}, plugin.ClassPartial, "[1]", "missing_key[2]", ""},
		{"all permanent", []error{errNoRawKey, errNoRawKey, errNoRawKey}, plugin.ClassPermanent, "[]", "", plugin.ReasonMissingKey},
		{"all failed, some retryable", []error{retry, retry, errNoRawKey}, plugin.ClassPartial, "[0 1]", "missing_key[2]", ""},
		{"all failed, none retryable", []error{retry, retry, retry}, plugin.ClassRetryable, "[]", "", ""},
		{"a broker refusal is retried with the others", []error{nil, big, retry}, plugin.ClassPartial, "[1 2]", "", ""},
		{"a broker refusal left alone is dropped", []error{errNoRawKey, big, big}, plugin.ClassPartial, "[]", "missing_key[0] oversize[1 2]", ""},
		{"only broker refusals", []error{big, big, big}, plugin.ClassPermanent, "[]", "", plugin.ReasonOversize},
	} {
		err := o.outcome(chunk, tc.errs)
		class, _, failed := plugin.Classify(err)
		if class != tc.class || fmt.Sprint(failed) != tc.failed && !(failed == nil && tc.failed == "[]") || plugintest.Drops(err) != tc.dropped ||
			tc.reason != "" && plugin.DropReason(err) != tc.reason {
			t.Errorf("%s: class %v failed %v dropped %q reason %s; want %v %s %q %s", tc.name, class, failed, plugintest.Drops(err),
				plugin.DropReason(err), tc.class, tc.failed, tc.dropped, tc.reason)
		}
	}
}

// TestOutcomeMarksAccessDenied: an authorization refusal is retried like
// any broker failure and marked, so the engine counts it as AccessDenied.
func TestOutcomeMarksAccessDenied(t *testing.T) {
	o := newOutput(t)
	chunk := &record.Chunk{Tag: "t", Records: 2}
	for _, tc := range []struct {
		name   string
		errs   []error
		denied bool
		class  plugin.ErrorClass
		hint   string // what the message must tell the operator
	}{
		{"topic ACL or IAM", []error{fmt.Errorf("produce: %w", kerr.TopicAuthorizationFailed), fmt.Errorf("produce: %w", kerr.TopicAuthorizationFailed)}, true, plugin.ClassRetryable, "kafka-cluster:WriteData on the topic"},
		{"SASL refused, one delivered", []error{nil, fmt.Errorf("produce: %w", kerr.SaslAuthenticationFailed)}, true, plugin.ClassPartial, "SASL credentials of this [OUTPUT] section"},
		{"broker unavailable", []error{errString("broker unavailable"), errString("broker unavailable")}, false, plugin.ClassRetryable, ""},
	} {
		err := o.outcome(chunk, tc.errs)
		if class, _, _ := plugin.Classify(err); class != tc.class || plugin.IsAccessDenied(err) != tc.denied {
			t.Errorf("%s: class %v, access denied %v; want %v, %v (%v)", tc.name, class, plugin.IsAccessDenied(err), tc.class, tc.denied, err)
		}
		if !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("%s: the message does not say %q: %v", tc.name, tc.hint, err)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }
