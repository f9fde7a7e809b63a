package conf_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/conf"
	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/record"
)

// TestShippedParsers parses a real-shaped line with every parser of
// parsers.conf and checks the fields and the time users rely on.
func TestShippedParsers(t *testing.T) {
	m, warns, err := config.ParseClassic("parsers.conf", conf.Parsers)
	if err != nil || len(warns) > 0 {
		t.Fatalf("parsers.conf: %v %v", err, warns)
	}
	reg, warns2, err := parser.NewRegistry(m.Parsers)
	if err != nil || len(warns2) > 0 {
		t.Fatalf("parsers.conf: %v %v", err, warns2)
	}
	cases := []struct {
		parser, line string
		want         map[string]any
		time         string // RFC 3339; "" for none
	}{
		{"apache", `192.168.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
			map[string]any{"host": "192.168.0.1", "user": "frank", "method": "GET", "path": "/apache_pb.gif", "code": "200", "size": "2326",
				"referer": "http://www.example.com/start.html", "agent": "Mozilla/4.08 [en] (Win98; I ;Nav)"}, "2000-10-10T20:55:36Z"},
		{"apache", `::1 - - [10/Oct/2000:13:55:36 +0000] "OPTIONS * HTTP/1.0" 200 -`,
			map[string]any{"host": "::1", "user": "-", "method": "OPTIONS", "path": "*", "code": "200", "size": "-"}, "2000-10-10T13:55:36Z"},
		{"apache2", `10.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 404 12 "-" "agent with \"quotes\""`,
			map[string]any{"host": "10.1.1.1", "user": "-", "method": "GET", "path": "/x", "code": "404", "size": "12", "referer": "-", "agent": `agent with \"quotes\"`}, "2000-10-10T20:55:36Z"},
		{"apache_error", `[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:5000] File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
			map[string]any{"time": "Oct 11 14:32:52.123456 2000", "level": "core:error", "pid": "35708:tid 4328636416", "client": "72.15.99.187:5000",
				"message": "File does not exist: /usr/local/apache2/htdocs/favicon.ico"}, ""},
		{"nginx", `172.17.0.1 - - [21/Mar/2023:10:02:03 +0000] "GET /index.html HTTP/1.1" 200 615 "-" "curl/7.88.1" "-"`,
			map[string]any{"remote": "172.17.0.1", "host": "-", "user": "-", "method": "GET", "path": "/index.html", "code": "200", "size": "615", "referer": "-", "agent": "curl/7.88.1"}, "2023-03-21T10:02:03Z"},
		{"k8s-nginx-ingress", `192.168.1.10 - alice [21/Mar/2023:10:02:03 +0000] "POST /api/v1/orders HTTP/2.0" 201 57 "https://shop.example.com/" "Mozilla/5.0" 512 0.023 [shop-orders-8080] [] 10.244.1.17:8080 57 0.022 201 5f2c3e0d8a9b4c1d2e3f405162738495`,
			map[string]any{"host": "192.168.1.10", "user": "alice", "method": "POST", "path": "/api/v1/orders", "code": "201", "size": "57", "referer": "https://shop.example.com/",
				"agent": "Mozilla/5.0", "request_length": "512", "request_time": "0.023", "proxy_upstream_name": "shop-orders-8080", "upstream_addr": "10.244.1.17:8080",
				"upstream_response_length": "57", "upstream_response_time": "0.022", "upstream_status": "201", "req_id": "5f2c3e0d8a9b4c1d2e3f405162738495"}, "2023-03-21T10:02:03Z"},
		{"json", `{"time":"10/Oct/2000:13:55:36 -0700","level":"warn","n":3}`, map[string]any{"level": "warn", "n": float64(3)}, "2000-10-10T20:55:36Z"},
		{"docker", `{"log":"hello world\n","stream":"stderr","time":"2021-06-01T10:11:12.123456789Z"}`,
			map[string]any{"log": "hello world\n", "stream": "stderr", "time": "2021-06-01T10:11:12.123456789Z"}, "2021-06-01T10:11:12.123456789Z"},
		{"docker-daemon", `time="2021-06-01T10:11:12.123456789Z" level=info msg="Loading containers: done."`,
			map[string]any{"time": "2021-06-01T10:11:12.123456789Z", "level": "info", "msg": "Loading containers: done."}, "2021-06-01T10:11:12.123456789Z"},
		{"cri", `2021-06-01T10:11:12.123456789+02:00 stdout F {"msg":"served"}`,
			map[string]any{"time": "2021-06-01T10:11:12.123456789+02:00", "stream": "stdout", "logtag": "F", "message": `{"msg":"served"}`}, "2021-06-01T08:11:12.123456789Z"},
		{"cri", `2021-06-01T10:11:12.5Z stderr P `,
			map[string]any{"time": "2021-06-01T10:11:12.5Z", "stream": "stderr", "logtag": "P"}, "2021-06-01T10:11:12.5Z"},
		{"syslog-rfc5424", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event log entry`,
			map[string]any{"pri": "165", "time": "2003-10-11T22:14:15.003Z", "host": "mymachine.example.com", "ident": "evntslog", "pid": "-", "msgid": "ID47",
				"extradata": `[exampleSDID@32473 iut="3" eventSource="Application"]`, "message": "An application event log entry"}, "2003-10-11T22:14:15.003Z"},
		{"syslog-rfc5424", `<34>1 2003-10-11T22:14:15Z host app 1234 - - started`,
			map[string]any{"pri": "34", "time": "2003-10-11T22:14:15Z", "host": "host", "ident": "app", "pid": "1234", "msgid": "-", "extradata": "-", "message": "started"}, "2003-10-11T22:14:15Z"},
		{"syslog-rfc3164", `<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8`,
			map[string]any{"pri": "34", "time": "Oct 11 22:14:15", "host": "mymachine", "ident": "su", "pid": "230", "message": "'su root' failed for lonvick on /dev/pts/8"}, ""},
		{"syslog-rfc3164-local", `<13>Feb  5 17:32:18 sshd[42]: Accepted publickey for ec2-user`,
			map[string]any{"pri": "13", "time": "Feb  5 17:32:18", "ident": "sshd", "pid": "42", "message": "Accepted publickey for ec2-user"}, ""},
		{"mongodb", `2021-06-01T10:11:12.123+0000 I NETWORK  [conn12] end connection 127.0.0.1:51234 (3 connections now open) 12ms`,
			map[string]any{"time": "2021-06-01T10:11:12.123+0000", "severity": "I", "component": "NETWORK", "context": "conn12",
				"message": "end connection 127.0.0.1:51234 (3 connections now open)", "ms": "12"}, "2021-06-01T10:11:12.123Z"},
		{"envoy", `[2021-06-01T10:11:12.123Z] "GET /api/items HTTP/1.1" 200 - 0 1534 12 11 "10.0.0.1" "curl/8.0.1" "b3a1c2d4-e5f6-4789-9abc-def012345678" "items.svc.local" "10.244.0.9:8080"`,
			map[string]any{"start_time": "2021-06-01T10:11:12.123Z", "method": "GET", "path": "/api/items", "protocol": "HTTP/1.1", "code": float64(200), "response_flags": "-",
				"bytes_received": float64(0), "bytes_sent": float64(1534), "duration": float64(12), "x_envoy_upstream_service_time": "11", "x_forwarded_for": "10.0.0.1",
				"user_agent": "curl/8.0.1", "request_id": "b3a1c2d4-e5f6-4789-9abc-def012345678", "authority": "items.svc.local", "upstream_host": "10.244.0.9:8080"}, "2021-06-01T10:11:12.123Z"},
		{"logfmt", `level=error msg="disk full" free=0`, map[string]any{"level": "error", "msg": "disk full", "free": "0"}, ""},
		{"kube-custom", `kube.var.log.containers.web-7d4b9c-x2x4z_shop_nginx-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log`,
			map[string]any{"tag": "kube.var.log.containers", "pod_name": "web-7d4b9c-x2x4z", "namespace_name": "shop", "container_name": "nginx",
				"docker_id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}, ""},
		{"kube-custom", `web-7d4b9c-x2x4z_shop_nginx-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log`,
			map[string]any{"pod_name": "web-7d4b9c-x2x4z", "namespace_name": "shop", "container_name": "nginx",
				"docker_id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}, ""},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.parser] = true
		p, ok := reg.Lookup(c.parser)
		if !ok {
			t.Errorf("parsers.conf has no parser %q", c.parser)
			continue
		}
		m, res, err := p.Parse(nil, []byte(c.line))
		if err != nil {
			t.Errorf("%s: %v on %q", c.parser, err, c.line)
			continue
		}
		js, _, err := record.AppendJSON(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(js, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: got %d fields %s, want %d", c.parser, len(got), js, len(c.want))
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%s: %s = %#v, want %#v (record %s)", c.parser, k, got[k], v, js)
			}
		}
		switch {
		case c.time == "" && res.HasTime && c.parser != "syslog-rfc3164" && c.parser != "syslog-rfc3164-local":
			t.Errorf("%s: unexpected time %v", c.parser, res.Time.Std())
		case c.time != "":
			want, _ := time.Parse(time.RFC3339Nano, c.time)
			if !res.HasTime || !res.Time.Std().Equal(want) {
				t.Errorf("%s: time = %v (found %v, err %v), want %v", c.parser, res.Time.Std().UTC(), res.HasTime, res.TimeErr, want)
			}
		}
	}
	for _, name := range reg.Names() {
		if !seen[name] {
			t.Errorf("parser %q of parsers.conf has no test line", name)
		}
	}
}

func TestIsParsersPath(t *testing.T) {
	for path, want := range map[string]bool{"parsers.conf": true, "./parsers.conf": true, "/fluent-bit/parsers/parsers.conf": true,
		"/fluent-bit/etc/parsers.conf": true, "/etc/parsers.conf": false, "my-parsers.conf": false} {
		if got := conf.IsParsersPath(path); got != want {
			t.Errorf("IsParsersPath(%q) = %v", path, got)
		}
	}
}
