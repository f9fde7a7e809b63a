package datadog

import (
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the datadog output with Fluent Bit's parameters
// (plugins/out_datadog/datadog.c config_map).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Host", Default: "http-intake.logs.datadoghq.com", Doc: "Datadog logs intake host of your site (e.g. http-intake.logs.datadoghq.eu)"},
		{Name: "Port", Type: plugin.TypeInt, Default: "443", Min: 1, Max: 65535, Doc: "TCP port of the intake"},
		{Name: "URI", Default: "/api/v2/logs", Doc: "path of the intake API"},
		{Name: "apikey", Required: true, Doc: "Datadog API key"},
		{Name: "compress", Options: []string{"gzip"}, Doc: "compress the requests (recommended)"},
		{Name: "Proxy", Doc: "HTTP proxy, http://host:port"},
		{Name: "dd_service", Doc: "service of the logs"},
		{Name: "dd_source", Doc: "source (integration) of the logs, e.g. nginx"},
		{Name: "dd_tags", Doc: "tags of the logs, comma-separated key:value"},
		{Name: "dd_hostname", Doc: "host name of the logs"},
		{Name: "dd_message_key", Doc: "record field to send as the message"},
		{Name: "provider", Options: []string{"ecs"}, Doc: "ecs: turn FireLens's ECS metadata fields into Datadog tags"},
		{Name: "include_tag_key", Type: plugin.TypeBool, Default: "off", Doc: "add the record tag under tag_key"},
		{Name: "tag_key", Default: "tagkey", Doc: "key of the tag with include_tag_key"},
		{Name: "json_date_key", Default: "timestamp", Doc: "key of the record time (milliseconds)"},
		{Name: "net.io_timeout", Type: plugin.TypeDuration, Default: "60s", Doc: "time allowed for one request, response included"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "datadog",
		Summary: "send records to Datadog Logs over its HTTP intake, with ECS (FireLens) tag remapping",
		Params:  append(params, tlsconf.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name            datadog
    Match           *
    Host            http-intake.logs.datadoghq.com
    TLS             on
    compress        gzip
    apikey          ${DD_API_KEY}
    dd_service      checkout
    dd_source       java
    dd_message_key  log
    dd_tags         env:prod,team:payments
    provider        ecs`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
