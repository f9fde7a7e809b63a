package es

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/testing/emulators/bulk"
)

func emulator(t *testing.T) (*bulk.Server, string) {
	s := bulk.Start()
	t.Cleanup(s.Close)
	return s, strconv.Itoa(s.Listener.Addr().(*net.TCPAddr).Port)
}

func newOutput(t *testing.T, port string, kv ...string) *Output {
	t.Helper()
	o, err := New(plugintest.Settings(t, Spec(), append([]string{"Host", "127.0.0.1", "Port", port}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return o
}

func chunk(t *testing.T, bodies ...string) *record.Chunk {
	events, n := plugintest.Events(t, bodies...)
	return &record.Chunk{Tag: "kube.app", Data: events, Records: n}
}

// encodeOne returns the bulk lines of one record.
func encodeOne(t *testing.T, o *Output, js string) string {
	t.Helper()
	e := &bulkEncoder{o: o, tag: "kube.app", now: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)}
	events, _ := plugintest.Events(t, js)
	it := record.NewIterator(events)
	it.Next()
	out, err := e.encode(nil, it.Event())
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestBulkLines(t *testing.T) {
	const rec = `{"log":"hi","kubernetes":{"namespace_name":"prod","pod.name":"p1"},"req.id":"r-7"}`
	for _, tc := range []struct {
		name string
		kv   []string
		want string
	}{
		{"defaults", nil,
			`{"create":{"_index":"fluent-bit","_type":"_doc"}}` + "\n" +
				`{"@timestamp":"2024-01-01T00:00:00.000Z","log":"hi","kubernetes":{"namespace_name":"prod","pod.name":"p1"},"req.id":"r-7"}` + "\n"},
		{"logstash, suppress type, tag key, replace dots",
			[]string{"Logstash_Format", "on", "Logstash_Prefix", "app", "Logstash_DateFormat", "%Y-%m", "Suppress_Type_Name", "on",
				"Include_Tag_Key", "on", "Tag_Key", "tag", "Replace_Dots", "on", "Time_Key", "ts"},
			`{"create":{"_index":"app-2024-01"}}` + "\n" +
				`{"ts":"2024-01-01T00:00:00.000Z","tag":"kube.app","log":"hi","kubernetes":{"namespace_name":"prod","pod_name":"p1"},"req_id":"r-7"}` + "\n"},
		{"prefix key, current time, index op, id key",
			[]string{"Logstash_Format", "on", "Logstash_Prefix_Key", "$kubernetes['namespace_name']", "Current_Time_Index", "on",
				"Write_Operation", "index", "Id_Key", "req.id", "Type", "", "Time_Key_Nanos", "on"},
			`{"index":{"_index":"prod-2025.03.04","_id":"r-7"}}` + "\n" +
				`{"@timestamp":"2024-01-01T00:00:00.000000000Z","log":"hi","kubernetes":{"namespace_name":"prod","pod.name":"p1"},"req.id":"r-7"}` + "\n"},
		{"upsert", []string{"Write_Operation", "upsert", "Id_Key", "req.id", "Suppress_Type_Name", "on", "Index", "x"},
			`{"update":{"_index":"x","_id":"r-7"}}` + "\n" +
				`{"doc":{"@timestamp":"2024-01-01T00:00:00.000Z","log":"hi","kubernetes":{"namespace_name":"prod","pod.name":"p1"},"req.id":"r-7"},"doc_as_upsert":true}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newOutput(t, "9200", tc.kv...)
			if got := encodeOne(t, o, rec); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestGenerateIDIsStable(t *testing.T) {
	o := newOutput(t, "9200", "Generate_ID", "on", "Suppress_Type_Name", "on")
	a, b := encodeOne(t, o, `{"a":1}`), encodeOne(t, o, `{"a":1}`)
	c := encodeOne(t, o, `{"a":2}`)
	if a != b || a == c || !strings.Contains(a, `"_id":"`) {
		t.Errorf("ids: %s %s %s", a, b, c)
	}
}

func TestTimeKeyKeptWhenPresent(t *testing.T) {
	o := newOutput(t, "9200", "Suppress_Type_Name", "on")
	got := encodeOne(t, o, `{"@timestamp":"mine","a":1}`)
	if strings.Count(got, "@timestamp") != 1 || !strings.Contains(got, `"@timestamp":"mine"`) {
		t.Errorf("got %s", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{"Write_Operation", "update"}, "set Id_Key or Generate_ID"},
		{[]string{"Id_Key", "$a["}, "Id_Key"},
		{[]string{"HTTP_Passwd", "x"}, "HTTP_User"},
		{[]string{"Write_Operation", "delete"}, "valid values"},
	} {
		s, err := plugintest.TrySettings(Spec(), tc.kv...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.kv, err, tc.want)
		}
	}
}

func TestFlushDelivers(t *testing.T) {
	es, port := emulator(t)
	o := newOutput(t, port, "Index", "logs", "HTTP_User", "u", "HTTP_Passwd", "p", "compress", "gzip", "Pipeline", "geo ip")
	if err := o.Flush(context.Background(), chunk(t, `{"n":1}`, `{"n":2}`)); err != nil {
		t.Fatal(err)
	}
	docs := es.Docs()
	if len(docs) != 2 || docs[0].Index != "logs" || docs[1].Source["n"] != 2.0 {
		t.Fatalf("docs %+v", docs)
	}
	_, h := es.Requests()
	if h[0].Get("Authorization") == "" || h[0].Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("headers %v", h[0])
	}
}

// The bulk response decides per document: 400 mapping errors are dropped
// for just those records, 429 rejections retried, the rest delivered; a
// resent document that is already indexed (409 on create) counts as
// delivered.
func TestPartialItemFailures(t *testing.T) {
	es, port := emulator(t)
	var mu sync.Mutex
	throttled := map[float64]bool{}
	es.Fault = func(doc map[string]any) int {
		mu.Lock()
		defer mu.Unlock()
		n, _ := doc["n"].(float64)
		switch {
		case doc["bad"] != nil:
			return 400
		case int(n)%3 == 0 && !throttled[n]:
			throttled[n] = true
			return 429
		}
		return 0
	}
	o := newOutput(t, port, "Generate_ID", "on", "Trace_Error", "on")
	c := chunk(t, `{"n":0}`, `{"n":1}`, `{"n":2,"bad":true}`, `{"n":3}`, `{"n":4}`)
	err := o.Flush(context.Background(), c)
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || fmt.Sprint(failed) != "[0 3]" || fmt.Sprint(plugin.Rejected(err)) != "[2]" {
		t.Fatalf("class %s failed %v rejected %v: %v", class, failed, plugin.Rejected(err), err)
	}
	if !strings.Contains(err.Error(), "mapper_parsing_exception") || !strings.Contains(err.Error(), "es_rejected_execution_exception") {
		t.Errorf("error %q does not say why", err)
	}
	// The engine retries the failed records; a resend of the whole chunk
	// (e.g. after a crash) must not index anything twice either.
	if err := o.Flush(context.Background(), c); !isOnlyRejected(err, "[2]") {
		t.Fatalf("resend: %v", err)
	}
	if n := len(es.Docs()); n != 4 {
		t.Errorf("%d documents indexed, want 4 (each once)", n)
	}
}

func isOnlyRejected(err error, rejected string) bool {
	class, _, failed := plugin.Classify(err)
	if class == plugin.ClassPermanent {
		return true
	}
	return class == plugin.ClassPartial && len(failed) == 0 && fmt.Sprint(plugin.Rejected(err)) == rejected
}

func TestRequestStatuses(t *testing.T) {
	for _, tc := range []struct {
		status int
		class  plugin.ErrorClass
	}{{429, plugin.ClassThrottled}, {503, plugin.ClassRetryable}, {400, plugin.ClassPermanent}, {413, plugin.ClassPermanent}} {
		es, port := emulator(t)
		es.RequestFault = func(int) int { return tc.status }
		o := newOutput(t, port)
		err := o.Flush(context.Background(), chunk(t, `{"n":1}`))
		if class, _, _ := plugin.Classify(err); class != tc.class {
			t.Errorf("%d: class %s (%v)", tc.status, class, err)
		}
	}
}

func TestLargeChunkIsSplit(t *testing.T) {
	es, port := emulator(t)
	o := newOutput(t, port, "Suppress_Type_Name", "on")
	big := `{"msg":"` + strings.Repeat("x", 1<<20) + `"}`
	var bodies []string
	for i := 0; i < 12; i++ {
		bodies = append(bodies, big)
	}
	if err := o.Flush(context.Background(), chunk(t, bodies...)); err != nil {
		t.Fatal(err)
	}
	n, _ := es.Requests()
	if n < 3 || len(es.Docs()) != 12 {
		t.Errorf("%d requests, %d docs", n, len(es.Docs()))
	}
}

func TestErrorsFalse(t *testing.T) {
	for body, want := range map[string]bool{
		`{"took":3,"errors":false,"items":[]}`: true,
		`{"errors": false}`:                    true,
		`{"took":3,"errors":true,"items":[]}`:  false,
		`garbage`:                              false,
		`"errors":false`:                       false,
		`{"a":{"errors":false},"errors":true}`: false,
		`{"a":1 "errors":false}`:               false,
		`{"errors":falsey}`:                    false,
		` { "errors":false }`:                  true,
	} {
		if errorsFalse([]byte(body)) != want {
			t.Errorf("%s: want %v", body, want)
		}
	}
}

func TestStrftime(t *testing.T) {
	tm := time.Date(2024, 2, 5, 7, 8, 9, 0, time.UTC)
	for layout, want := range map[string]string{
		"%Y.%m.%d":          "2024.02.05",
		"%Y-%m-%dT%H:%M:%S": "2024-02-05T07:08:09",
		"%y%j %b %a %% %q":  "24036 Feb Mon % %q",
		"%F %T":             "2024-02-05 07:08:09",
	} {
		if got := string(appendStrftime(nil, layout, tm)); got != want {
			t.Errorf("%s: %s, want %s", layout, got, want)
		}
	}
}

// With AWS_Auth, requests are SigV4-signed over the compressed body; the
// emulator recomputes the signature as OpenSearch Service does. A wrong
// secret is refused with 403, which is retried (the policy or the
// credentials can be fixed while records wait).
func TestSigV4AgainstTheEmulator(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDES")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "right")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	es, port := emulator(t)
	es.Auth = &bulk.SigV4{AccessKeyID: "AKIDES", SecretAccessKey: "right", Service: "es"}
	o := newOutput(t, port, "AWS_Auth", "on", "AWS_Region", "eu-west-1", "compress", "gzip", "Suppress_Type_Name", "on")
	if err := o.Flush(context.Background(), chunk(t, `{"n":1}`, `{"n":2}`)); err != nil {
		t.Fatal(err)
	}
	if len(es.Docs()) != 2 {
		t.Fatalf("docs %v", es.Docs())
	}
	es.Auth.SecretAccessKey = "other"
	err := o.Flush(context.Background(), chunk(t, `{"n":3}`))
	if class, _, _ := plugin.Classify(err); class != plugin.ClassRetryable || !strings.Contains(err.Error(), "signature we calculated does not match") {
		t.Errorf("wrong secret: %v", err)
	}
	es.Auth = &bulk.SigV4{AccessKeyID: "AKIDES", SecretAccessKey: "right", Service: "aoss"}
	err = o.Flush(context.Background(), chunk(t, `{"n":4}`))
	if err == nil || !strings.Contains(err.Error(), "aoss") {
		t.Errorf("service name: %v", err)
	}
}
