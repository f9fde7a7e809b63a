package http

import (
	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the http output with Fluent Bit's parameters
// (plugins/out_http/http.c config_map).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Host", Default: "127.0.0.1", Doc: "host name or IP address of the HTTP server"},
		{Name: "Port", Type: plugin.TypeInt, Default: "80", Min: 1, Max: 65535, Doc: "TCP port of the HTTP server"},
		{Name: "URI", Default: "/", Doc: "path (and query) of the requests"},
		{Name: "Proxy", Doc: "HTTP proxy, http://host:port; HTTP_PROXY/HTTPS_PROXY are used when unset"},
		{Name: "http_Method", Default: "POST", Options: []string{"POST", "PUT"}, Doc: "method of the requests"},
		{Name: "Format", Default: "msgpack", Options: []string{"msgpack", "json", "json_lines", "json_stream", "gelf"}, Doc: "body format"},
		{Name: "Header", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "a header name and value added to every request; repeat for more"},
		{Name: "header_tag", Doc: "header that carries the records' tag"},
		{Name: "allow_duplicated_headers", Type: plugin.TypeBool, Default: "true", Doc: "send every Header with a repeated name; off keeps only the last"},
		{Name: "compress", Options: []string{"gzip"}, Doc: "compress bodies (Content-Encoding: gzip)"},
		{Name: "http_User", Doc: "user name for basic authentication"},
		{Name: "http_Passwd", Doc: "password for basic authentication (with http_User)"},
		{Name: "json_date_key", Default: "date", Doc: "key of the time in JSON records; false leaves the time out"},
		{Name: "json_date_format", Default: "double", Options: httpout.DateFormats, Doc: "format of the time in JSON records"},
		{Name: "gelf_timestamp_key", Doc: "record key holding the GELF timestamp; the record time when unset"},
		{Name: "gelf_host_key", Doc: "record key holding the GELF host"},
		{Name: "gelf_short_message_key", Doc: "record key holding the GELF short_message (required by GELF)"},
		{Name: "gelf_full_message_key", Doc: "record key holding the GELF full_message"},
		{Name: "gelf_level_key", Doc: "record key holding the GELF level"},
		{Name: "log_response_payload", Type: plugin.TypeBool, Default: "true", Doc: "log the response body of failed requests"},
		{Name: "net.io_timeout", Type: plugin.TypeDuration, Default: "60s", Doc: "time allowed for one request, response included"},
		{Name: "Workers", Type: plugin.TypeInt, Default: "2", Min: 1, Max: 256, Doc: "number of goroutines flushing this output in parallel"},
	}
	params = append(params, httpout.AWSParams("AWS_Service", "")...)
	params = append(params, tlsconf.Params()...)
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "http",
		Summary: "POST records to an HTTP endpoint as msgpack, JSON, JSON lines or GELF, with gzip, basic auth, SigV4 and TLS",
		Params:  params,
		Examples: []string{
			`[OUTPUT]
    Name    http
    Match   *
    Host    collector.internal
    Port    8080
    URI     /ingest
    Format  json_lines
    Header  X-Api-Key secret
    compress gzip`,
			`[OUTPUT]
    Name         http
    Match        *
    Host         search-logs.us-east-1.es.amazonaws.com
    Port         443
    URI          /_plugins/_ingest
    Format       json
    tls          on
    AWS_Auth     on
    AWS_Region   us-east-1
    AWS_Service  es`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
