package splunk

import (
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// Spec declares the splunk output with Fluent Bit's parameters
// (plugins/out_splunk/splunk.c config_map).
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "Host", Default: "127.0.0.1", Doc: "host of the HTTP Event Collector"},
		{Name: "Port", Type: plugin.TypeInt, Default: "8088", Min: 1, Max: 65535, Doc: "TCP port of the HTTP Event Collector"},
		{Name: "splunk_token", Doc: "HEC token, sent as Authorization: Splunk TOKEN"},
		{Name: "http_user", Doc: "user name for basic authentication, instead of a token"},
		{Name: "http_passwd", Doc: "password for basic authentication"},
		{Name: "http_buffer_size", Default: "2M", Doc: "accepted for compatibility; HEC's answers are read up to 1 MiB"},
		{Name: "http_debug_bad_request", Type: plugin.TypeBool, Default: "off", Doc: "accepted for compatibility; every failure is logged with HEC's answer"},
		{Name: "compress", Options: []string{"gzip"}, Doc: "compress the requests"},
		{Name: "channel", Doc: "X-Splunk-Request-Channel header"},
		{Name: "splunk_send_raw", Type: plugin.TypeBool, Default: "off", Doc: "send records as they are to /services/collector/raw, without the event envelope"},
		{Name: "event_key", Doc: "record accessor of the value to send as the event, instead of the whole record"},
		{Name: "event_host", Doc: "host of the events: a literal, or a $record accessor"},
		{Name: "event_source", Doc: "source of the events: a literal, or a $record accessor"},
		{Name: "event_sourcetype", Doc: "sourcetype of the events: a literal, or a $record accessor"},
		{Name: "event_sourcetype_key", Doc: "record accessor whose value is the sourcetype, over event_sourcetype"},
		{Name: "event_index", Doc: "index of the events: a literal, or a $record accessor"},
		{Name: "event_index_key", Doc: "record accessor whose value is the index, over event_index"},
		{Name: "event_field", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "an indexed field: NAME and a literal or $record accessor; repeat for more"},
		{Name: "net.io_timeout", Type: plugin.TypeDuration, Default: "60s", Doc: "time allowed for one request, response included"},
		{Name: "Workers", Type: plugin.TypeInt, Default: "2", Min: 1, Max: 256, Doc: "number of goroutines flushing this output in parallel"},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "splunk",
		Summary: "send records to a Splunk HTTP Event Collector as events (or raw), with per-event error handling",
		Params:  append(params, tlsconf.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name              splunk
    Match             *
    Host              splunk.example.com
    Port              8088
    tls               on
    splunk_token      00000000-0000-0000-0000-000000000000
    event_host        $kubernetes['host']
    event_sourcetype  _json
    event_field       cluster prod-eks`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
