package httpout

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func configSpec() plugin.Spec {
	return plugin.Spec{Kind: plugin.KindOutput, Name: "t", Params: []plugin.Param{
		{Name: "Proxy", Doc: "proxy"},
		{Name: "Header", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "header"},
	}}
}

func TestProxyAndHeadersFromConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kv      []string
		dups    bool
		proxy   string
		headers string
		err     string
	}{
		{name: "unset", proxy: "<nil>", headers: "[]"},
		{name: "proxy", kv: []string{"Proxy", "http://p:3128"}, proxy: "http://p:3128", headers: "[]"},
		{name: "bad proxy", kv: []string{"Proxy", "p:3128"}, err: "Proxy"},
		{name: "duplicates kept", dups: true, kv: []string{"Header", "X-A 1", "Header", "x-a 2"}, proxy: "<nil>", headers: "[[X-A 1] [x-a 2]]"},
		{name: "last wins", kv: []string{"Header", "X-A 1", "Header", "x-a 2"}, proxy: "<nil>", headers: "[[x-a 2]]"},
		{name: "bad name", kv: []string{"Header", "X:A 1"}, err: "Header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := plugintest.Settings(t, configSpec(), tc.kv...).Config
			p, perr := ProxyFromConfig(c, "Proxy")
			h, herr := HeadersFromConfig(c, "Header", tc.dups)
			if err := errors.Join(perr, herr); tc.err != "" || err != nil {
				if err == nil || !strings.Contains(err.Error(), tc.err) || tc.err == "" {
					t.Fatalf("err %v, want one naming %q", err, tc.err)
				}
				return
			}
			if got := fmt.Sprint(p); p == nil && tc.proxy != "<nil>" || p != nil && got != tc.proxy {
				t.Errorf("proxy %v, want %s", p, tc.proxy)
			}
			if got := fmt.Sprint(h); got != tc.headers && !(len(h) == 0 && tc.headers == "[]") {
				t.Errorf("headers %s, want %s", got, tc.headers)
			}
		})
	}
}

func TestWithoutResponse(t *testing.T) {
	secret := errors.New("HTTP 400: body with secrets")
	for _, tc := range []struct {
		err   error
		class plugin.ErrorClass
	}{
		{plugin.Permanent(secret), plugin.ClassPermanent},
		{plugin.Throttled(secret, time.Second), plugin.ClassThrottled},
		{secret, plugin.ClassRetryable},
	} {
		got := WithoutResponse("prometheus_remote_write.0", tc.err)
		class, _, _ := plugin.Classify(got)
		if class != tc.class || strings.Contains(got.Error(), "secrets") || !strings.Contains(got.Error(), "prometheus_remote_write.0") {
			t.Errorf("%v -> %v (%s), want class %s without the body", tc.err, got, class, tc.class)
		}
	}
	partial := plugin.PartialRejected(secret, []int{1}, []int{0})
	if WithoutResponse("x", partial) != partial || WithoutResponse("x", nil) != nil {
		t.Error("partial failures and nil must pass through")
	}
}
