package httpout

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestClassify(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		status     int
		retryAfter string
		class      plugin.ErrorClass
		wait       time.Duration
		ok         bool
		denied     bool   // marked plugin.AccessDenied
		reason     string // plugin.DropReason of a permanent error
	}{
		{status: 200, ok: true},
		{status: 204, ok: true},
		{status: 429, class: plugin.ClassThrottled},
		{status: 429, retryAfter: "7", class: plugin.ClassThrottled, wait: 7 * time.Second},
		{status: 429, retryAfter: now.Add(3 * time.Second).Format(http.TimeFormat), class: plugin.ClassThrottled, wait: 3 * time.Second},
		{status: 429, retryAfter: "100000", class: plugin.ClassThrottled, wait: maxRetryAfter},
		{status: 503, class: plugin.ClassRetryable},
		{status: 503, retryAfter: "2", class: plugin.ClassThrottled, wait: 2 * time.Second},
		{status: 500, class: plugin.ClassRetryable},
		{status: 502, class: plugin.ClassRetryable},
		{status: 408, class: plugin.ClassRetryable},
		{status: 401, class: plugin.ClassRetryable, denied: true},
		{status: 403, class: plugin.ClassRetryable, denied: true},
		{status: 400, class: plugin.ClassPermanent, reason: plugin.ReasonRejected},
		{status: 404, class: plugin.ClassPermanent, reason: plugin.ReasonRejected},
		{status: 413, class: plugin.ClassPermanent, reason: plugin.ReasonRejected},
	} {
		t.Run(fmt.Sprintf("%d_%s", tc.status, tc.retryAfter), func(t *testing.T) {
			h := http.Header{}
			if tc.retryAfter != "" {
				h.Set("Retry-After", tc.retryAfter)
			}
			se := &StatusError{Output: "http.0", Method: "POST", URL: "http://h:1/x", Status: tc.status, Body: "nope"}
			err := Classify(se, h, now)
			if tc.ok {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			class, wait, _ := plugin.Classify(err)
			if class != tc.class || wait != tc.wait {
				t.Errorf("class %s wait %s, want %s %s", class, wait, tc.class, tc.wait)
			}
			if plugin.IsAccessDenied(err) != tc.denied {
				t.Errorf("access denied %v, want %v", plugin.IsAccessDenied(err), tc.denied)
			}
			if tc.reason != "" && plugin.DropReason(err) != tc.reason {
				t.Errorf("drop reason %s, want %s", plugin.DropReason(err), tc.reason)
			}
			for _, want := range []string{"output http.0", "POST http://h:1/x", strconv.Itoa(tc.status), "nope"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func jsonEnc(dst []byte, ev *record.Event) ([]byte, error) {
	d, _, err := record.AppendJSON(dst, ev.Body)
	return d, err
}

func TestSplit(t *testing.T) {
	events, n := plugintest.Events(t, `{"a":1}`, `{"a":22}`, `{"a":333}`, `{"a":4444}`, `{"a":5}`)
	for _, tc := range []struct {
		name string
		lim  Limits
		want []string
	}{
		{"one body", Limits{}, []string{`[{"a":1},{"a":22},{"a":333},{"a":4444},{"a":5}]`}},
		{"records", Limits{MaxRecords: 2}, []string{`[{"a":1},{"a":22}]`, `[{"a":333},{"a":4444}]`, `[{"a":5}]`}},
		{"bytes", Limits{MaxBytes: 20}, []string{`[{"a":1},{"a":22}]`, `[{"a":333}]`, `[{"a":4444},{"a":5}]`}},
		{"record larger than the limit goes alone", Limits{MaxBytes: 5}, []string{`[{"a":1}]`, `[{"a":22}]`, `[{"a":333}]`, `[{"a":4444}]`, `[{"a":5}]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var firsts []int
			out := Outcome{Records: n}
			Split(events, tc.lim, Framing{"[", ",", "]"}, jsonEnc, nil, &out, func(b Batch) bool {
				got = append(got, string(b.Body))
				firsts = append(firsts, b.Records[0])
				return out.Add(b, nil)
			})
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("bodies\n got %q\nwant %q", got, tc.want)
			}
			if out.Err() != nil {
				t.Error(out.Err())
			}
			if firsts[0] != 0 {
				t.Errorf("first batch starts at %d", firsts[0])
			}
		})
	}
}

func TestSplitRejectsWhatCannotBeEncoded(t *testing.T) {
	events, n := plugintest.Events(t, `{"a":1}`, `{"bad":1}`, `{"a":3}`)
	enc := func(dst []byte, ev *record.Event) ([]byte, error) {
		if _, ok := record.Lookup(ev.Body, "bad"); ok {
			return append(dst, "garbage"...), errors.New("cannot encode")
		}
		return jsonEnc(dst, ev)
	}
	out := Outcome{Records: n}
	var bodies []string
	Split(events, Limits{}, Framing{"[", ",", "]"}, enc, nil, &out, func(b Batch) bool {
		bodies = append(bodies, string(b.Body))
		return out.Add(b, nil)
	})
	if len(bodies) != 1 || bodies[0] != `[{"a":1},{"a":3}]` {
		t.Fatalf("bodies %q", bodies)
	}
	err := out.Err()
	class, _, failed := plugin.Classify(err)
	if class != plugin.ClassPartial || len(failed) != 0 || plugintest.Drops(err) != "unsupported[1]" {
		t.Errorf("got %s failed %v dropped %s", class, failed, plugintest.Drops(err))
	}
}

func TestOutcome(t *testing.T) {
	retry := errors.New("503")
	throttle := plugin.Throttled(errors.New("429"), time.Second)
	perm := plugin.PermanentReason(plugin.ReasonRejected, errors.New("400"))
	big := plugin.PermanentReason(plugin.ReasonOversize, errors.New("413"))
	for _, tc := range []struct {
		name     string
		results  []error // one per batch of 2 records
		class    plugin.ErrorClass
		failed   string
		rejected string // plugintest.Drops
		nilErr   bool
	}{
		{name: "all delivered", results: []error{nil, nil}, nilErr: true},
		{name: "throttled first batch keeps the wait", results: []error{throttle}, class: plugin.ClassThrottled, failed: "[]"},
		{name: "all permanent", results: []error{perm, perm}, class: plugin.ClassPermanent},
		{name: "second batch fails", results: []error{nil, retry}, class: plugin.ClassPartial, failed: "[2 3]", rejected: ""},
		{name: "mixed", results: []error{perm, nil, retry}, class: plugin.ClassPartial, failed: "[4 5]", rejected: "rejected[0 1]"},
		{name: "two reasons, one group each", results: []error{perm, big, perm}, class: plugin.ClassPartial, failed: "[]",
			rejected: "rejected[0 1 4 5] oversize[2 3]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := Outcome{Records: 2 * len(tc.results)}
			for i, r := range tc.results {
				if !out.Add(Batch{Records: []int{2 * i, 2*i + 1}}, r) {
					break
				}
			}
			err := out.Err()
			if tc.nilErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			class, _, failed := plugin.Classify(err)
			if class != tc.class {
				t.Fatalf("class %s, want %s (%v)", class, tc.class, err)
			}
			if class == plugin.ClassPartial {
				if fmt.Sprint(failed) != tc.failed && !(failed == nil && tc.failed == "[]") || plugintest.Drops(err) != tc.rejected {
					t.Errorf("failed %v dropped %q, want %s %q", failed, plugintest.Drops(err), tc.failed, tc.rejected)
				}
			}
		})
	}
}

// sink is a test server recording what arrives.
type sink struct {
	srv   *httptest.Server
	conns atomic.Int64
	last  atomic.Pointer[http.Request]
	body  atomic.Pointer[[]byte]
}

func newSink(t *testing.T, status func(r *http.Request) int) *sink {
	s := &sink{}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rd io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				w.WriteHeader(400)
				return
			}
			rd = zr
		}
		b, _ := io.ReadAll(rd)
		s.body.Store(&b)
		s.last.Store(r)
		w.WriteHeader(status(r))
	}))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) options() Options {
	addr := s.srv.Listener.Addr().(*net.TCPAddr)
	return Options{Output: "test.0", Host: "127.0.0.1", Port: addr.Port}
}

func TestClientSendsHeadersAuthGzipAndReusesConnections(t *testing.T) {
	s := newSink(t, func(*http.Request) int { return 200 })
	o := s.options()
	o.Gzip, o.User, o.Password = true, "u", "p"
	o.Headers = [][2]string{{"X-A", "1"}, {"X-A", "2"}}
	c := New(o)
	defer c.Close()
	for i := 0; i < 5; i++ {
		if _, err := c.Do(context.Background(), &Request{Path: "/in?x=1", ContentType: "application/json", Body: []byte(`{"n":1}`)}); err != nil {
			t.Fatal(err)
		}
	}
	r := s.last.Load()
	if u, p, _ := r.BasicAuth(); u != "u" || p != "p" {
		t.Errorf("basic auth %q %q", u, p)
	}
	if got := r.Header.Values("X-A"); fmt.Sprint(got) != "[1 2]" {
		t.Errorf("X-A %v", got)
	}
	if r.URL.RequestURI() != "/in?x=1" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("uri %s type %s", r.URL.RequestURI(), r.Header.Get("Content-Type"))
	}
	if string(*s.body.Load()) != `{"n":1}` {
		t.Errorf("body %q", *s.body.Load())
	}
	if n := s.conns.Load(); n != 1 {
		t.Errorf("%d connections for 5 sequential requests, want 1", n)
	}
}

func TestClientNetworkErrorNamesOutputAndURL(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c := New(Options{Output: "http.3", Host: "127.0.0.1", Port: port})
	_, err := c.Do(context.Background(), &Request{Path: "/x"})
	if err == nil {
		t.Fatal("want an error")
	}
	if class, _, _ := plugin.Classify(err); class != plugin.ClassRetryable {
		t.Errorf("class %s", class)
	}
	if !strings.Contains(err.Error(), "output http.3: POST http://127.0.0.1:"+strconv.Itoa(port)+"/x") {
		t.Errorf("error %q", err)
	}
}

func TestSigV4(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "tok")
	t.Setenv("AWS_PROFILE", "")
	s := newSink(t, func(*http.Request) int { return 200 })
	o := s.options()
	o.Gzip = true
	o.AWS = &AWSAuth{Service: "es", Settings: awsconf.Settings{Section: "es.0", Region: "eu-west-1"},
		now: func() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }}
	c := New(o)
	if _, err := c.Do(context.Background(), &Request{Path: "/_bulk", Body: []byte("{}\n")}); err != nil {
		t.Fatal(err)
	}
	r := s.last.Load()
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-west-1/es/aws4_request") {
		t.Errorf("Authorization %q", auth)
	}
	if r.Header.Get("X-Amz-Date") != "20240102T030405Z" || r.Header.Get("X-Amz-Security-Token") != "tok" {
		t.Errorf("X-Amz-Date %q token %q", r.Header.Get("X-Amz-Date"), r.Header.Get("X-Amz-Security-Token"))
	}
	// The payload hash is of the compressed body, which is what was sent.
	if h := r.Header.Get("X-Amz-Content-Sha256"); len(h) != 64 || !strings.Contains(auth, "x-amz-content-sha256") {
		t.Errorf("X-Amz-Content-Sha256 %q not signed in %q", h, auth)
	}
}

// BenchmarkClientJSONLines measures the core's throughput into a local
// sink: 1000-record chunks of ~200-byte records encoded as JSON lines and
// POSTed, with and without gzip.
func BenchmarkClientJSONLines(b *testing.B) {
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("gzip=%v", gz), func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
			}))
			defer srv.Close()
			addr := srv.Listener.Addr().(*net.TCPAddr)
			c := New(Options{Output: "bench.0", Host: "127.0.0.1", Port: addr.Port, Gzip: gz})
			defer c.Close()
			var bodies []string
			for i := 0; i < 1000; i++ {
				bodies = append(bodies, fmt.Sprintf(`{"seq":%d,"level":"info","service":"checkout","msg":"order placed for customer %d with 3 items","path":"/api/v1/orders","status":201,"latency_ms":12.5,"trace":"4bf92f3577b34da6a3ce929d0e0e4736"}`, i, i*7))
			}
			events, n := plugintest.Events(b, bodies...)
			var buf []byte
			var encoded int
			enc := func(dst []byte, ev *record.Event) ([]byte, error) {
				d, _, err := record.AppendJSON(dst, ev.Body)
				return append(d, '\n'), err
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out := Outcome{Records: n}
				buf = Split(events, Limits{}, Framing{}, enc, buf, &out, func(bt Batch) bool {
					encoded = len(bt.Body)
					_, err := c.Do(context.Background(), &Request{Path: "/", Body: bt.Body})
					return out.Add(bt, err)
				})
				if err := out.Err(); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(encoded))
		})
	}
}
