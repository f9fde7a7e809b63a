package http

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, body, tagKey string
		want               []string // "tag json"
		err                string
	}{
		{name: "object", body: `{"a":1}`, want: []string{`t {"a":1}`}},
		{name: "array", body: ` [{"a":1},{"b":{"c":[2]}}] `, want: []string{`t {"a":1}`, `t {"b":{"c":[2]}}`}},
		{name: "tag_key", body: `[{"svc":"web","n":1},{"svc":"db","n":2},{"n":3},{"svc":"web","n":4},{"svc":7}]`, tagKey: "svc",
			want: []string{`web {"svc":"web","n":1}`, `web {"svc":"web","n":4}`, `db {"svc":"db","n":2}`, `t {"n":3}`, `t {"svc":7}`}},
		{name: "not JSON", body: `hello`, err: "invalid JSON"},
		{name: "trailing garbage", body: `{"a":1} x`, err: "invalid JSON"},
		{name: "scalar", body: `42`, err: "object or an array"},
		{name: "array of scalars", body: `[{"a":1},2]`, err: "element 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b batch
			err := b.decode([]byte(tc.body), "t", tc.tagKey, 0)
			var got []string
			for _, tag := range b.tags {
				for _, js := range plugintest.Bodies(t, b.by[tag].Bytes()) {
					got = append(got, tag+" "+js)
				}
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				if len(got) != 0 {
					t.Errorf("records kept from a refused body: %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestTagFromPath(t *testing.T) {
	for in, want := range map[string]string{"/": "", "/app.log": "app.log", "/a/b c": "a_b_c", "/x-1_y": "x-1_y"} {
		if got := tagFromPath(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func startInput(t *testing.T, kv ...string) (*Input, *plugintest.Collector, string) {
	t.Helper()
	in, err := New(plugintest.Settings(t, Spec(), append([]string{"Listen", "127.0.0.1", "Port", "0"}, kv...)...))
	if err != nil {
		t.Fatal(err)
	}
	in.tag = "http.0"
	ctx, cancel := context.WithCancel(context.Background())
	col := &plugintest.Collector{}
	done := make(chan error)
	go func() { done <- in.Run(ctx, col) }()
	<-in.bound
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return in, col, "http://" + in.addr.String()
}

func post(t *testing.T, url, ctype, enc string, body []byte) (int, string, nethttp.Header) {
	t.Helper()
	req, _ := nethttp.NewRequest("POST", url, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if enc != "" {
		req.Header.Set("Content-Encoding", enc)
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}

func TestServer(t *testing.T) {
	_, col, url := startInput(t, "successful_response_code", "200", "success_header", "X-Ok yes", "buffer_max_size", "64")
	type req struct {
		path, ctype, enc string
		body             []byte
		status           int
		reason           string
	}
	for _, r := range []req{
		{"/app.log", "application/json", "", []byte(`{"n":1}`), 200, ""},
		{"/", "application/json; charset=utf-8", "gzip", gz(`[{"n":2},{"n":3}]`), 200, ""},
		{"/bad", "application/json", "", []byte(`{"n":`), 400, "invalid JSON"},
		{"/bad", "text/plain", "", []byte(`{"n":1}`), 415, "send application/json"},
		{"/bad", "application/json", "br", []byte(`{"n":1}`), 415, "only gzip"},
		{"/bad", "application/json", "gzip", []byte(`not gzip`), 400, "gzip"},
		{"/bad", "application/json", "", []byte(`{"n":"` + strings.Repeat("x", 100) + `"}`), 413, "buffer_max_size"},
		{"/bad", "application/json", "gzip", gz(`{"n":"` + strings.Repeat("x", 100) + `"}`), 413, "buffer_max_size"},
	} {
		status, body, h := post(t, url+r.path, r.ctype, r.enc, r.body)
		if status != r.status || !strings.Contains(body, r.reason) {
			t.Errorf("%s %s: %d %q, want %d %q", r.path, r.ctype, status, body, r.status, r.reason)
		}
		if status == 200 && h.Get("X-Ok") != "yes" {
			t.Errorf("success_header missing: %v", h)
		}
	}
	got := col.WaitFor(t, 3)
	if fmt.Sprint(got) != `[{"n":1} {"n":2} {"n":3}]` || fmt.Sprint(col.Tags()) != "[app.log http.0 http.0]" {
		t.Errorf("records %q tags %q", got, col.Tags())
	}
	resp, err := nethttp.Get(url + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

func TestAddRemoteAddr(t *testing.T) {
	_, col, url := startInput(t, "add_remote_addr", "on")
	post(t, url+"/a", "application/json", "", []byte(`{"n":1}`))
	req, _ := nethttp.NewRequest("POST", url+"/a", strings.NewReader(`{"n":2}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := col.WaitFor(t, 2)
	if got[0] != `{"n":1,"REMOTE_ADDR":"127.0.0.1"}` || got[1] != `{"n":2,"REMOTE_ADDR":"203.0.113.7"}` {
		t.Errorf("got %q", got)
	}
}
