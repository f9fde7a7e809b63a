package splunk

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

var (
	_ plugin.Output = (*Output)(nil)
	_ plugin.Closer = (*Output)(nil)
)

// value is a metadata parameter: a literal, or a record accessor.
type value struct {
	literal string
	path    *accessor.Path
}

func parseValue(c *plugin.Config, name, raw string) (*value, error) {
	if raw == "" {
		return nil, nil
	}
	if strings.HasPrefix(raw, "$") {
		p, err := accessor.Parse(raw)
		if err != nil {
			return nil, c.Errorf(name, "%v", err)
		}
		return &value{path: p}, nil
	}
	return &value{literal: raw}, nil
}

// appendTo writes the value as a JSON string, or reports false when the
// record has no such key.
func (v *value) appendTo(dst []byte, body []byte) ([]byte, bool) {
	if v.path == nil {
		return record.AppendJSONString(dst, []byte(v.literal)), true
	}
	raw, ok := v.path.Get(body)
	if !ok {
		return dst, false
	}
	txt, ok := accessor.AppendText(nil, raw)
	if !ok {
		return dst, false
	}
	return record.AppendJSONString(dst, txt), true
}

type field struct {
	name string
	v    *value
}

// Output sends chunks to Splunk HEC. It is safe for concurrent use.
type Output struct {
	id       string
	logger   *slog.Logger
	client   *httpout.Client
	raw      bool
	eventKey *accessor.Path
	meta     [4]struct {
		name string
		v    *value
	}
	fields []field
	header [][2]string

	bufs sync.Pool // *[]byte
}

// New returns a splunk output configured by s.Config (see Spec). It does
// no I/O.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{id: s.ID, logger: s.Logger, raw: c.Bool("splunk_send_raw")}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	var err error
	if k := c.String("event_key"); k != "" {
		if o.eventKey, err = accessor.ParseKey(k); err != nil {
			return nil, c.Errorf("event_key", "%v", err)
		}
	}
	sourcetype, index := "event_sourcetype", "event_index"
	if c.String("event_sourcetype_key") != "" {
		sourcetype = "event_sourcetype_key"
	}
	if c.String("event_index_key") != "" {
		index = "event_index_key"
	}
	for i, m := range [...]struct{ name, param string }{
		{"host", "event_host"}, {"source", "event_source"}, {"sourcetype", sourcetype}, {"index", index},
	} {
		raw := c.String(m.param)
		if strings.HasSuffix(m.param, "_key") && raw != "" && !strings.HasPrefix(raw, "$") {
			raw = "$" + raw
		}
		v, err := parseValue(c, m.param, raw)
		if err != nil {
			return nil, err
		}
		o.meta[i].name, o.meta[i].v = m.name, v
	}
	for _, w := range c.AllWords("event_field") {
		v, err := parseValue(c, "event_field", w[1])
		if err != nil {
			return nil, err
		}
		o.fields = append(o.fields, field{w[0], v})
	}
	if t := c.String("splunk_token"); t != "" {
		o.header = append(o.header, [2]string{"Authorization", "Splunk " + t})
	}
	if ch := c.String("channel"); ch != "" {
		o.header = append(o.header, [2]string{"X-Splunk-Request-Channel", ch})
	}
	host := c.String("Host")
	tlsCfg, err := tlsconf.Client(c, host)
	if err != nil {
		return nil, err
	}
	o.client = httpout.New(httpout.Options{
		Output:   s.ID,
		Host:     host,
		Port:     int(c.Int("Port")),
		TLS:      tlsCfg,
		Headers:  o.header,
		User:     c.String("http_user"),
		Password: c.String("http_passwd"),
		Gzip:     c.String("compress") == "gzip",
		Timeout:  c.Duration("net.io_timeout"),
		Conns:    int(c.Int("Workers")),
	})
	return o, nil
}

// Flush sends the chunk as one HEC request.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	bp, _ := o.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer o.bufs.Put(bp)
	req := httpout.Request{Path: "/services/collector/event", ContentType: "application/json"}
	if o.raw {
		req.Path = "/services/collector/raw"
	}
	out := httpout.Outcome{Records: chunk.Records}
	*bp = httpout.Split(chunk.Data, httpout.Limits{}, httpout.Framing{}, o.encode, *bp, &out, func(b httpout.Batch) bool {
		req.Body = b.Body
		resp, err := o.client.Do(ctx, &req)
		if err != nil && resp != nil && resp.Status == http.StatusBadRequest {
			if n, text, ok := invalidEvent(resp.Body); ok && n < len(b.Records) {
				// HEC indexed the events before the invalid one.
				for k, idx := range b.Records {
					switch {
					case k < n:
						out.Item(idx, nil)
					case k == n:
						out.Item(idx, plugin.Permanent(fmt.Errorf("output %s: HEC refused event %d of the request: %s", o.id, n, text)))
					default:
						out.Item(idx, fmt.Errorf("output %s: not indexed after HEC refused event %d; sent again", o.id, n))
					}
				}
				return true
			}
		}
		return out.Add(b, err)
	})
	return out.Err()
}

// invalidEvent reads HEC's {"text":..., "code":6, "invalid-event-number":N}.
func invalidEvent(body []byte) (int, string, bool) {
	var r struct {
		Text    string `json:"text"`
		Code    int    `json:"code"`
		Invalid *int   `json:"invalid-event-number"`
	}
	if json.Unmarshal(body, &r) != nil || r.Invalid == nil || *r.Invalid < 0 {
		return 0, "", false
	}
	return *r.Invalid, fmt.Sprintf("%s (code %d)", r.Text, r.Code), true
}

// encode writes one event (or, raw, the record and a newline).
func (o *Output) encode(dst []byte, ev *record.Event) ([]byte, error) {
	if o.raw {
		d, err := o.appendEvent(dst, ev)
		return append(d, '\n'), err
	}
	dst = append(dst, `{"time":`...)
	dst = httpout.AppendDate(dst, ev.Time, httpout.DateDouble)
	for _, m := range o.meta {
		if m.v == nil {
			continue
		}
		mark := len(dst)
		dst = append(dst, `,"`...)
		dst = append(dst, m.name...)
		dst = append(dst, `":`...)
		var ok bool
		if dst, ok = m.v.appendTo(dst, ev.Body); !ok {
			dst = dst[:mark]
		}
	}
	if len(o.fields) > 0 {
		dst = append(dst, `,"fields":{`...)
		n := 0
		for _, f := range o.fields {
			mark := len(dst)
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = record.AppendJSONString(dst, []byte(f.name))
			dst = append(dst, ':')
			var ok bool
			if dst, ok = f.v.appendTo(dst, ev.Body); !ok {
				dst = dst[:mark]
				continue
			}
			n++
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"event":`...)
	dst, err := o.appendEvent(dst, ev)
	return append(dst, '}'), err
}

// appendEvent writes the record, or its value at event_key.
func (o *Output) appendEvent(dst []byte, ev *record.Event) ([]byte, error) {
	v := ev.Body
	if o.eventKey != nil {
		got, ok := o.eventKey.Get(ev.Body)
		if !ok {
			return dst, fmt.Errorf("the record has no %s (event_key)", o.eventKey)
		}
		v = got
	}
	dst, _, err := record.AppendJSON(dst, v)
	return dst, err
}

// Close releases the kept connections.
func (o *Output) Close(context.Context) error {
	o.client.Close()
	return nil
}
