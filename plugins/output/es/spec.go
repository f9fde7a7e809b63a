package es

import (
	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the es output with Fluent Bit's parameters
// (plugins/out_es/es_conf.c config_map).
func Spec() plugin.Spec {
	return spec("es", "index records into Elasticsearch (or Amazon OpenSearch Service) with the bulk API, per-document error handling, SigV4 and TLS")
}

// SpecNamed is Spec under another plugin name: the opensearch output is
// the same bulk client with Fluent Bit's out_opensearch name.
func SpecNamed(name, summary string) plugin.Spec { return spec(name, summary) }

func spec(name, summary string) plugin.Spec {
	params := []plugin.Param{
		{Name: "Host", Default: "127.0.0.1", Doc: "host of the cluster"},
		{Name: "Port", Type: plugin.TypeInt, Default: "9200", Min: 1, Max: 65535, Doc: "TCP port of the cluster"},
		{Name: "Path", Doc: "path prefix of the bulk endpoint, for a cluster behind a proxy (Path/_bulk)"},
		{Name: "Pipeline", Doc: "ingest pipeline to run on the documents"},
		{Name: "Buffer_Size", Default: "512KB", Doc: "accepted for compatibility; Sluice reads the whole bulk response (up to 64 MiB) to learn each document's result"},
		{Name: "HTTP_User", Doc: "user name for basic authentication"},
		{Name: "HTTP_Passwd", Doc: "password for basic authentication"},
		{Name: "Index", Default: "fluent-bit", Doc: "index of the documents (without Logstash_Format)"},
		{Name: "Type", Default: "_doc", Doc: "document type, sent as _type unless Suppress_Type_Name is on"},
		{Name: "Logstash_Format", Type: plugin.TypeBool, Default: "off", Doc: "write into daily indexes Logstash_Prefix-Logstash_DateFormat instead of Index"},
		{Name: "Logstash_Prefix", Default: "logstash", Doc: "prefix of the index names with Logstash_Format"},
		{Name: "Logstash_Prefix_Key", Doc: "record accessor path ($kubernetes['namespace_name']) whose value is the prefix, when the record has it"},
		{Name: "Logstash_Prefix_Separator", Default: "-", Doc: "text between the prefix and the date"},
		{Name: "Logstash_DateFormat", Default: "%Y.%m.%d", Doc: "strftime format of the date in the index names"},
		{Name: "Time_Key", Default: "@timestamp", Doc: "key of the record time added to each document (unless the record has it)"},
		{Name: "Time_Key_Format", Default: "%Y-%m-%dT%H:%M:%S", Doc: "strftime format of Time_Key; milliseconds (or nanoseconds) and Z are appended"},
		{Name: "Time_Key_Nanos", Type: plugin.TypeBool, Default: "off", Doc: "write nanoseconds instead of milliseconds in Time_Key"},
		{Name: "Include_Tag_Key", Type: plugin.TypeBool, Default: "off", Doc: "add the tag to each document under Tag_Key"},
		{Name: "Tag_Key", Default: "_flb-key", Doc: "key of the tag with Include_Tag_Key"},
		{Name: "Generate_ID", Type: plugin.TypeBool, Default: "off", Doc: "give each document an _id derived from its content, so a resent document is not indexed twice"},
		{Name: "Id_Key", Doc: "record accessor path of the value to use as _id"},
		{Name: "Write_Operation", Default: "create", Options: []string{"create", "index", "update", "upsert"}, Doc: "bulk action of each document; update and upsert need Id_Key or Generate_ID"},
		{Name: "Replace_Dots", Type: plugin.TypeBool, Default: "off", Doc: "replace dots in key names with underscores"},
		{Name: "Current_Time_Index", Type: plugin.TypeBool, Default: "off", Doc: "date the Logstash_Format index by the current time instead of the record's"},
		{Name: "Suppress_Type_Name", Type: plugin.TypeBool, Default: "off", Doc: "leave _type out of the bulk actions (Elasticsearch 8 and OpenSearch 2 reject it)"},
		{Name: "Trace_Output", Type: plugin.TypeBool, Default: "off", Doc: "log every bulk request body (debug level)"},
		{Name: "Trace_Error", Type: plugin.TypeBool, Default: "off", Doc: "log each refused document with the cluster's error"},
		{Name: "compress", Options: []string{"gzip"}, Doc: "compress bulk bodies"},
		{Name: "net.io_timeout", Type: plugin.TypeDuration, Default: "60s", Doc: "time allowed for one bulk request, response included"},
		{Name: "Workers", Type: plugin.TypeInt, Default: "2", Min: 1, Max: 256, Doc: "number of goroutines flushing this output in parallel"},
	}
	params = append(params, httpout.AWSParams("AWS_Service_Name", "es")...)
	params = append(params, tlsconf.Params()...)
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    name,
		Summary: summary,
		Params:  params,
		Examples: []string{
			`[OUTPUT]
    Name             ` + name + `
    Match            *
    Host             search-logs-abc123.us-east-1.es.amazonaws.com
    Port             443
    tls              on
    AWS_Auth         on
    AWS_Region       us-east-1
    Logstash_Format  on
    Logstash_Prefix  app
    Suppress_Type_Name on`,
			`[OUTPUT]
    Name         ` + name + `
    Match        kube.*
    Host         elasticsearch.logging.svc
    Index        kubernetes
    HTTP_User    fluent
    HTTP_Passwd  secret
    Generate_ID  on
    Trace_Error  on`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
