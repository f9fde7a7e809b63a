package prometheusremotewrite

import (
	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the prometheus_remote_write output with Fluent Bit's
// parameters and defaults (plugins/out_prometheus_remote_write
// config_map, and its net defaults 127.0.0.1:80).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "host", Default: "127.0.0.1", Doc: "host name or IP address of the remote-write receiver"},
		{Name: "port", Type: plugin.TypeInt, Default: "80", Min: 1, Max: 65535, Doc: "TCP port of the receiver"},
		{Name: "uri", Default: "/", Doc: "path of the remote-write endpoint, e.g. /api/v1/write (Prometheus) or /workspaces/ws-.../api/v1/remote_write (Amazon Managed Service for Prometheus)"},
		{Name: "proxy", Doc: "HTTP proxy, http://host:port; HTTP_PROXY/HTTPS_PROXY are used when unset"},
		{Name: "header", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "a header name and value added to every request (e.g. X-Scope-OrgID for Mimir or Cortex); repeat for more (a repeated name keeps its last value, as in Fluent Bit)"},
		{Name: "http_user", Doc: "user name for basic authentication"},
		{Name: "http_passwd", Doc: "password for basic authentication (with http_user)"},
		{Name: "add_label", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "a label name and value added to every sample, e.g. app sluice; repeat for more"},
		{Name: "compression", Default: "snappy", Options: []string{"snappy", "gzip", "zstd"}, Doc: "body compression; the Remote-Write 1.0 specification requires snappy, which every receiver accepts"},
		{Name: "log_response_payload", Type: plugin.TypeBool, Default: "true", Doc: "log the response body of failed requests"},
		{Name: "net.io_timeout", Type: plugin.TypeDuration, Default: "60s", Doc: "time allowed for one request, response included"},
		{Name: "Workers", Type: plugin.TypeInt, Default: "2", Min: 1, Max: 256, Doc: "number of goroutines flushing this output in parallel (1 keeps each series' samples in order across requests)"},
	}
	params = append(params, httpout.AWSParams("AWS_Service", "aps")...)
	params = append(params, tlsconf.Params()...)
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "prometheus_remote_write",
		Summary: "write metric records to a Prometheus remote-write receiver (Prometheus, Amazon Managed Service for Prometheus, Mimir, Thanos)",
		Params:  params,
		Examples: []string{
			`[INPUT]
    Name             fluentbit_metrics
    Tag              internal_metrics
    scrape_interval  10

[OUTPUT]
    Name       prometheus_remote_write
    Match      internal_metrics
    Host       prometheus.monitoring.svc
    Port       9090
    Uri        /api/v1/write
    add_label  app sluice`,
			`[OUTPUT]
    Name        prometheus_remote_write
    Match       internal_metrics
    Host        aps-workspaces.us-east-1.amazonaws.com
    Port        443
    Uri         /workspaces/ws-12345678-abcd-1234-abcd-123456789012/api/v1/remote_write
    tls         on
    AWS_Auth    on
    AWS_Region  us-east-1`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
