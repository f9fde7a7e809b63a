package loki

import (
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the loki output with Fluent Bit's parameters
// (plugins/out_loki/loki.c config_map).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Host", Default: "127.0.0.1", Doc: "host of Loki"},
		{Name: "Port", Type: plugin.TypeInt, Default: "3100", Min: 1, Max: 65535, Doc: "TCP port of Loki"},
		{Name: "URI", Default: "/loki/api/v1/push", Doc: "path of the push API"},
		{Name: "tenant_id", Doc: "tenant, sent as X-Scope-OrgID"},
		{Name: "tenant_id_key", Doc: "record accessor of each record's tenant (one request per tenant); tenant_id when the record has none"},
		{Name: "labels", Default: "job=fluent-bit", Doc: "stream labels: NAME=VALUE (a literal or $accessor) or bare $accessors, comma-separated"},
		{Name: "label_keys", Doc: "record accessors whose values become labels named by their last key, comma-separated"},
		{Name: "label_map_path", Doc: "not supported yet: file mapping record keys to labels"},
		{Name: "remove_keys", Type: plugin.TypeCommaList, Doc: "top-level record keys left out of the line"},
		{Name: "drop_single_key", Type: plugin.TypeBool, Default: "off", Doc: "send a record left with a single key as that value alone"},
		{Name: "line_format", Default: "json", Options: []string{"json", "key_value"}, Doc: "format of the line"},
		{Name: "auto_kubernetes_labels", Type: plugin.TypeBool, Default: "off", Doc: "add every string of $kubernetes['labels'] as a label"},
		{Name: "structured_metadata", Doc: "per-entry structured metadata: NAME=VALUE (a literal or $accessor), comma-separated"},
		{Name: "structured_metadata_map_keys", Doc: "not supported yet"},
		{Name: "http_user", Doc: "user name for basic authentication"},
		{Name: "http_passwd", Doc: "password for basic authentication"},
		{Name: "bearer_token", Doc: "token sent as Authorization: Bearer"},
		{Name: "compress", Options: []string{"gzip"}, Doc: "compress the requests"},
		{Name: "net.io_timeout", Type: plugin.TypeDuration, Default: "60s", Doc: "time allowed for one request, response included"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "loki",
		Summary: "push records to Grafana Loki as streams labelled from the records",
		Params:  append(params, tlsconf.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name         loki
    Match        kube.*
    Host         loki.monitoring.svc
    labels       job=sluice, namespace=$kubernetes['namespace_name'], $kubernetes['container_name']
    remove_keys  kubernetes, stream
    tenant_id    team-a
    line_format  json`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
