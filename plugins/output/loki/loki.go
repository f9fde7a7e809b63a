package loki

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/tinylib/msgp/msgp"

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

var kubernetesLabels, _ = accessor.Parse("$kubernetes['labels']")

// Output pushes chunks to Loki. It is safe for concurrent use.
type Output struct {
	id       string
	logger   *slog.Logger
	client   *httpout.Client
	uri      string
	labels   []pair
	metadata []pair
	remove   map[string]bool
	dropOne  bool
	keyValue bool
	autoKube bool
	// tenant is tenant_id; tenantKey, tenant_id_key.
	tenant    string
	tenantKey *accessor.Path
	pushes    sync.Pool // *push
}

// New returns a loki output configured by s.Config (see Spec). It does no
// I/O.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		id:       s.ID,
		logger:   s.Logger,
		uri:      c.String("URI"),
		dropOne:  c.Bool("drop_single_key"),
		keyValue: c.String("line_format") == "key_value",
		autoKube: c.Bool("auto_kubernetes_labels"),
		remove:   map[string]bool{},
	}
	for _, p := range []string{"label_map_path", "structured_metadata_map_keys"} {
		if c.IsSet(p) {
			return nil, c.Errorf(p, "not supported yet by Sluice's loki output; remove it (labels and label_keys cover most uses)")
		}
	}
	var err error
	if o.labels, err = parsePairs(c.String("labels")); err != nil {
		return nil, c.Errorf("labels", "%v", err)
	}
	for _, k := range splitTop(c.String("label_keys")) {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		p, err := accessor.ParseKey(k)
		if err != nil {
			return nil, c.Errorf("label_keys", "%v", err)
		}
		o.labels = append(o.labels, pair{name: labelName(lastKey(p)), path: p})
	}
	if o.metadata, err = parsePairs(c.String("structured_metadata")); err != nil {
		return nil, c.Errorf("structured_metadata", "%v", err)
	}
	for _, k := range c.List("remove_keys") {
		o.remove[strings.TrimPrefix(k, "$")] = true
	}
	header := [][2]string{}
	o.tenant = c.String("tenant_id")
	if k := c.String("tenant_id_key"); k != "" {
		if o.tenantKey, err = accessor.ParseKey(k); err != nil {
			return nil, c.Errorf("tenant_id_key", "%v", err)
		}
	}
	if t := c.String("bearer_token"); t != "" {
		header = append(header, [2]string{"Authorization", "Bearer " + t})
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
		Headers:  header,
		User:     c.String("http_user"),
		Password: c.String("http_passwd"),
		Gzip:     c.String("compress") == "gzip",
		Timeout:  c.Duration("net.io_timeout"),
		Conns:    int(c.Int("Workers")),
	})
	return o, nil
}

// Flush pushes the chunk: one request, or with tenant_id_key one per
// tenant (in the order tenants first appear).
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	p, _ := o.pushes.Get().(*push)
	if p == nil {
		p = &push{}
	}
	defer o.pushes.Put(p)
	p.reset()
	out := httpout.Outcome{Records: chunk.Records}
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		t := p.tenant(o.tenantOf(it.Event().Body))
		if err := o.add(t, it.Event()); err != nil {
			out.Item(it.Index(), plugin.PermanentReason(plugin.ReasonUnsupported, fmt.Errorf("output %s: record %d: %w", o.id, it.Index(), err)))
			continue
		}
		t.indexes = append(t.indexes, it.Index())
	}
	for _, t := range p.tenants[:p.used] {
		if len(t.indexes) == 0 {
			continue
		}
		t.build()
		req := httpout.Request{Path: o.uri, ContentType: "application/json", Body: t.body}
		if t.name != "" {
			req.Header = [][2]string{{"X-Scope-OrgID", t.name}}
		}
		_, err := o.client.Do(ctx, &req)
		if !out.Add(httpout.Batch{Body: t.body, Records: t.indexes}, err) {
			// The server is struggling: the other tenants' records are
			// retried too, without sending them now.
			for _, rest := range p.tenants[:p.used] {
				if rest != t && len(rest.body) == 0 {
					out.Add(httpout.Batch{Records: rest.indexes}, err)
					rest.indexes = rest.indexes[:0]
				}
			}
		}
	}
	return out.Err()
}

// tenantOf is the tenant of a record: its tenant_id_key value, else
// tenant_id.
func (o *Output) tenantOf(body []byte) string {
	if o.tenantKey != nil {
		if v, ok := o.tenantKey.Get(body); ok {
			if s, ok := record.StringValue(v); ok && len(s) > 0 {
				return string(s)
			}
		}
	}
	return o.tenant
}

// push is the bodies being built for one chunk, one per tenant.
type push struct {
	tenants []*tenantPush
	used    int
}

func (p *push) reset() {
	for _, t := range p.tenants[:p.used] {
		t.reset("")
	}
	p.used = 0
}

// tenant returns the body of tenant name, starting one if needed.
func (p *push) tenant(name string) *tenantPush {
	for _, t := range p.tenants[:p.used] {
		if t.name == name {
			return t
		}
	}
	if p.used == len(p.tenants) {
		p.tenants = append(p.tenants, &tenantPush{streams: map[string]int{}})
	}
	t := p.tenants[p.used]
	p.used++
	t.reset(name)
	return t
}

// tenantPush is one push body: one stream per label set, in the order
// they first appear.
type tenantPush struct {
	name    string
	streams map[string]int // labels JSON -> index
	labels  [][]byte
	values  [][]byte
	scratch []byte
	line    []byte
	body    []byte
	indexes []int
}

func (t *tenantPush) reset(name string) {
	t.name = name
	clear(t.streams)
	t.labels, t.values, t.indexes, t.body = t.labels[:0], t.values[:0], t.indexes[:0], t.body[:0]
}

// build writes the push body of the streams.
func (t *tenantPush) build() {
	t.body = append(t.body[:0], `{"streams":[`...)
	for i := range t.labels {
		if i > 0 {
			t.body = append(t.body, ',')
		}
		t.body = append(t.body, `{"stream":`...)
		t.body = append(t.body, t.labels[i]...)
		t.body = append(t.body, `,"values":[`...)
		t.body = append(t.body, t.values[i]...)
		t.body = append(t.body, "]}"...)
	}
	t.body = append(t.body, "]}"...)
}

// add appends one entry to its stream.
func (o *Output) add(p *tenantPush, ev *record.Event) error {
	// Labels.
	s := append(p.scratch[:0], '{')
	s, n := appendPairs(s, o.labels, ev.Body, 0)
	if o.autoKube {
		if m, ok := kubernetesLabels.Get(ev.Body); ok && msgp.NextType(m) == msgp.MapType {
			record.MapEntries(m, func(k, v []byte) bool {
				if str, ok := record.StringValue(v); ok {
					if n > 0 {
						s = append(s, ',')
					}
					s = record.AppendJSONString(s, []byte(labelName(string(k))))
					s = append(s, ':')
					s = record.AppendJSONString(s, str)
					n++
				}
				return true
			})
		}
	}
	s = append(s, '}')
	p.scratch = s
	idx, ok := p.streams[string(s)]
	if !ok {
		idx = len(p.labels)
		p.streams[string(s)] = idx
		p.labels = append(p.labels, append([]byte(nil), s...))
		if cap(p.values) > idx { // reuse the buffer of an earlier flush
			p.values = p.values[:idx+1]
			p.values[idx] = p.values[idx][:0]
		} else {
			p.values = append(p.values, nil)
		}
	}
	// Entry.
	line, err := o.appendLine(p.line[:0], ev.Body)
	if err != nil {
		return err
	}
	p.line = line
	v := p.values[idx]
	if len(v) > 0 {
		v = append(v, ',')
	}
	v = append(v, `["`...)
	sec, nsec := ev.Time.Unix()
	v = strconv.AppendInt(v, sec*1e9+nsec, 10)
	v = append(v, `",`...)
	v = record.AppendJSONString(v, line)
	if len(o.metadata) > 0 {
		v = append(v, ",{"...)
		v, _ = appendPairs(v, o.metadata, ev.Body, 0)
		v = append(v, '}')
	}
	v = append(v, ']')
	p.values[idx] = v
	return nil
}

// appendLine writes the line of a record (see the package doc).
func (o *Output) appendLine(dst, body []byte) ([]byte, error) {
	n, rest, err := msgp.ReadMapHeaderBytes(body)
	if err != nil {
		return dst, err
	}
	kept := 0
	var single []byte
	// First pass: count what stays, for drop_single_key.
	if o.dropOne {
		err := record.MapEntries(body, func(k, v []byte) bool {
			if !o.remove[string(k)] {
				kept++
				single = v
			}
			return true
		})
		if err != nil {
			return dst, err
		}
		if kept == 1 {
			if s, ok := record.StringValue(single); ok {
				return append(dst, s...), nil
			}
			d, _, err := record.AppendJSON(dst, single)
			return d, err
		}
	}
	if !o.keyValue {
		dst = append(dst, '{')
	}
	written := 0
	for i := uint32(0); i < n; i++ {
		k, after, err := msgp.ReadMapKeyZC(rest)
		if err != nil {
			return dst, err
		}
		end, err := msgp.Skip(after)
		if err != nil {
			return dst, err
		}
		v := after[:len(after)-len(end)]
		rest = end
		if o.remove[string(k)] {
			continue
		}
		if written > 0 {
			if o.keyValue {
				dst = append(dst, ' ')
			} else {
				dst = append(dst, ',')
			}
		}
		written++
		if o.keyValue {
			dst = append(dst, k...)
			dst = append(dst, '=')
		} else {
			dst = record.AppendJSONString(dst, k)
			dst = append(dst, ':')
		}
		if dst, _, err = record.AppendJSON(dst, v); err != nil {
			return dst, err
		}
	}
	if !o.keyValue {
		dst = append(dst, '}')
	}
	return dst, nil
}

// Close releases the kept connections.
func (o *Output) Close(context.Context) error {
	o.client.Close()
	return nil
}
