package http

import (
	"fmt"
	"strconv"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the http input with Fluent Bit's parameters
// (plugins/in_http/http_config.c and http.c config_map).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Listen", Default: "0.0.0.0", Doc: "address to listen on"},
		{Name: "Port", Type: plugin.TypeInt, Default: "9880", Min: 0, Max: 65535, Doc: "TCP port to listen on (0: any free port)"},
		{Name: "tag_key", Doc: "record key whose string value becomes the record's tag"},
		{Name: "buffer_max_size", Type: plugin.TypeSize, Default: "4M", Min: 1, Max: 1 << 30, Doc: "largest request body, after decompression"},
		{Name: "buffer_chunk_size", Type: plugin.TypeSize, Default: "512K", Min: 1, Max: 1 << 30, Doc: "accepted for compatibility; Go's server sizes its reads"},
		{Name: "successful_response_code", Type: plugin.TypeInt, Default: "201", Check: checkCode, Doc: "status of a successful request: 200, 201 or 204"},
		{Name: "success_header", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "a header name and value added to successful responses; repeat for more"},
		{Name: "http2", Type: plugin.TypeBool, Default: "on", Doc: "serve HTTP/2 (over TLS)"},
		{Name: "add_remote_addr", Type: plugin.TypeBool, Default: "off", Doc: "add REMOTE_ADDR to each record: the first X-Forwarded-For address, else the client's"},
	}
	return plugin.Spec{
		Kind:        plugin.KindInput,
		Name:        "http",
		Summary:     "receive JSON records over HTTP POST; the URL path is the tag",
		Params:      append(params, tlsconf.Params()...),
		DynamicTags: true,
		Examples: []string{
			`[INPUT]
    Name                      http
    Listen                    0.0.0.0
    Port                      8888
    successful_response_code  200`,
			`[INPUT]
    Name            http
    Port            9880
    tag_key         service
    success_header  X-Ingested yes`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}

func checkCode(raw string) error {
	switch raw {
	case "200", "201", "204":
		return nil
	}
	if _, err := strconv.Atoi(raw); err != nil {
		return fmt.Errorf("invalid integer %q", raw)
	}
	return fmt.Errorf("%s is not supported; use 200, 201 or 204", raw)
}
