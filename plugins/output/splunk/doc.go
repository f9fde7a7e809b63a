// Package splunk implements Fluent Bit's splunk output: it sends records to
// a Splunk HTTP Event Collector (HEC), on the shared client of
// internal/httpout.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/out_splunk (host 127.0.0.1,
// port 8088, Workers 2): splunk_token (sent as "Authorization: Splunk
// TOKEN"), http_user/http_passwd, compress gzip, channel
// (X-Splunk-Request-Channel), splunk_send_raw, event_key, event_host,
// event_source, event_sourcetype, event_sourcetype_key, event_index,
// event_index_key, event_field (repeatable) and tls*.
//
// Without splunk_send_raw, each record becomes one HEC event, the events
// concatenated in one POST to /services/collector/event:
//
//	{"time":1704067200.000000,"host":"web-1","source":"app","sourcetype":"json","index":"main","fields":{"env":"prod"},"event":{...record...}}
//
// event_key sends only that value of the record as the event. The
// metadata parameters take a literal or, written with $, a record
// accessor ($kubernetes['host']) read from each record; a record without
// the key gets no such metadata. With splunk_send_raw the record's JSON
// goes as is, one per line, to /services/collector/raw.
//
// # Responses
//
// HEC answers a batch with an invalid event with 400 and
// {"text":"...","code":6,"invalid-event-number":N}: the events before N
// were indexed. Sluice counts them delivered, drops event N (permanent,
// counted and logged with HEC's text) and retries the events after it.
// 503 (server busy, code 9) and 429 throttle; 401/403 (token) are retried
// with a message to fix the token; other statuses as in internal/httpout.
//
// # Differences
//
// http_buffer_size and http_debug_bad_request are accepted; Sluice logs
// HEC's answer with every failure instead.
package splunk
