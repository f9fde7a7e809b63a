package datadog

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

var (
	_ plugin.Output = (*Output)(nil)
	_ plugin.Closer = (*Output)(nil)
)

// Datadog's intake limits (docs.datadoghq.com, Logs API: "Maximum array
// size if sending multiple logs in an array: 1000 entries"; "Maximum
// content size per payload (uncompressed): 5MB").
const (
	maxLogs  = 1000
	maxBytes = 5 << 20
)

// Output sends chunks to Datadog. It is safe for concurrent use.
type Output struct {
	client     *httpout.Client
	logger     *slog.Logger
	uri        string
	service    string
	source     string
	tags       string
	hostname   string
	messageKey string
	ecs        bool
	tagKey     string // "" without include_tag_key
	dateKey    string

	bufs sync.Pool // *[]byte
}

// New returns a datadog output configured by s.Config (see Spec). It does
// no I/O.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		logger:     s.Logger,
		uri:        c.String("URI"),
		service:    c.String("dd_service"),
		source:     c.String("dd_source"),
		tags:       c.String("dd_tags"),
		hostname:   c.String("dd_hostname"),
		messageKey: c.String("dd_message_key"),
		ecs:        c.String("provider") == "ecs",
		dateKey:    c.String("json_date_key"),
	}
	if c.Bool("include_tag_key") {
		o.tagKey = c.String("tag_key")
	}
	if !strings.HasPrefix(o.uri, "/") {
		return nil, c.Errorf("URI", "%q must start with /", o.uri)
	}
	host := c.String("Host")
	tlsCfg, err := tlsconf.Client(c, host)
	if err != nil {
		return nil, err
	}
	proxy, err := httpout.ProxyFromConfig(c, "Proxy")
	if err != nil {
		return nil, err
	}
	o.client = httpout.New(httpout.Options{
		Output:  s.ID,
		Host:    host,
		Port:    int(c.Int("Port")),
		TLS:     tlsCfg,
		Headers: [][2]string{{"DD-API-KEY", c.String("apikey")}},
		Gzip:    c.String("compress") == "gzip",
		Timeout: c.Duration("net.io_timeout"),
		Proxy:   proxy,
		Conns:   int(c.Int("Workers")),
	})
	return o, nil
}

// Flush sends the chunk in requests of at most 1000 logs and 5 MiB.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	bp, _ := o.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer o.bufs.Put(bp)
	req := httpout.Request{Path: o.uri, ContentType: "application/json"}
	out := httpout.Outcome{Records: chunk.Records}
	enc := func(dst []byte, ev *record.Event) ([]byte, error) { return o.encode(dst, chunk.Tag, ev) }
	*bp = httpout.Split(chunk.Data, httpout.Limits{MaxRecords: maxLogs, MaxBytes: maxBytes}, httpout.Framing{Open: "[", Sep: ",", Close: "]"}, enc, *bp, &out, func(b httpout.Batch) bool {
		req.Body = b.Body
		_, err := o.client.Do(ctx, &req)
		return out.Add(b, err)
	})
	return out.Err()
}

// ecsTags are FireLens's ECS metadata fields and the Datadog tags Fluent
// Bit's remapping (plugins/out_datadog/datadog_remap.c) makes of them.
var ecsTags = []struct{ field, tag string }{
	{"container_id", "container_id"},
	{"container_name", "container_name"},
	{"ecs_cluster", "cluster_name"},
	{"ecs_task_arn", "task_arn"},
}

// encode writes one Datadog log object.
func (o *Output) encode(dst []byte, tag string, ev *record.Event) ([]byte, error) {
	n, rest, err := msgp.ReadMapHeaderBytes(ev.Body)
	if err != nil {
		return dst, err
	}
	has := func(k string) bool { _, ok := record.Lookup(ev.Body, k); return ok }
	dst = append(dst, '{')
	dst = record.AppendJSONString(dst, []byte(o.dateKey))
	dst = append(dst, ':')
	sec, nsec := ev.Time.Unix()
	dst = strconv.AppendInt(dst, sec*1000+nsec/1e6, 10)
	for _, m := range [...]struct{ key, val string }{{"ddsource", o.source}, {"service", o.service}, {"hostname", o.hostname}} {
		if m.val != "" && !has(m.key) {
			dst = appendPair(dst, m.key, []byte(m.val))
		}
	}
	if !has("ddtags") {
		if tags := o.appendTags(nil, ev.Body); len(tags) > 0 {
			dst = appendPair(dst, "ddtags", tags)
		}
	}
	if o.tagKey != "" {
		dst = appendPair(dst, o.tagKey, []byte(tag))
	}
	for i := uint32(0); i < n; i++ {
		k, after, err := msgp.ReadMapKeyZC(rest)
		if err != nil {
			return dst, err
		}
		dst = append(dst, ',')
		if o.messageKey != "" && string(k) == o.messageKey {
			dst = append(dst, `"message"`...)
		} else {
			dst = record.AppendJSONString(dst, k)
		}
		dst = append(dst, ':')
		if dst, rest, err = record.AppendJSON(dst, after); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendTags writes dd_tags and, with provider ecs, the tags of the
// record's ECS metadata.
func (o *Output) appendTags(dst, body []byte) []byte {
	dst = append(dst, o.tags...)
	if !o.ecs {
		return dst
	}
	add := func(tag string, v []byte) {
		if len(dst) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, tag...)
		dst = append(dst, ':')
		dst = append(dst, v...)
	}
	for _, t := range ecsTags {
		if raw, ok := record.Lookup(body, t.field); ok {
			if v, ok := record.StringValue(raw); ok && len(v) > 0 {
				add(t.tag, v)
			}
		}
	}
	// ecs_task_definition is family:revision.
	if raw, ok := record.Lookup(body, "ecs_task_definition"); ok {
		if v, ok := record.StringValue(raw); ok {
			family, rev, found := strings.Cut(string(v), ":")
			add("task_family", []byte(family))
			if found {
				add("task_version", []byte(rev))
			}
		}
	}
	return dst
}

func appendPair(dst []byte, key string, val []byte) []byte {
	dst = append(dst, ',')
	dst = record.AppendJSONString(dst, []byte(key))
	dst = append(dst, ':')
	return record.AppendJSONString(dst, val)
}

// Close releases the kept connections.
func (o *Output) Close(context.Context) error {
	o.client.Close()
	return nil
}
