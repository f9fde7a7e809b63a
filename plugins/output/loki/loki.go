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
	pushes   sync.Pool // *push
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
	for _, p := range []string{"tenant_id_key", "label_map_path", "structured_metadata_map_keys"} {
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
	if t := c.String("tenant_id"); t != "" {
		header = append(header, [2]string{"X-Scope-OrgID", t})
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

// push is the body being built: one stream per label set, in the order
// they first appear.
type push struct {
	streams map[string]int // labels JSON -> index
	labels  [][]byte
	values  [][]byte
	scratch []byte
	line    []byte
	body    []byte
	indexes []int
}

// Flush pushes the chunk in one request.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	p, _ := o.pushes.Get().(*push)
	if p == nil {
		p = &push{streams: map[string]int{}}
	}
	defer o.pushes.Put(p)
	clear(p.streams)
	p.labels, p.values, p.indexes = p.labels[:0], p.values[:0], p.indexes[:0]
	out := httpout.Outcome{Records: chunk.Records}
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		if err := o.add(p, it.Event()); err != nil {
			out.Item(it.Index(), plugin.Permanent(fmt.Errorf("output %s: record %d: %w", o.id, it.Index(), err)))
			continue
		}
		p.indexes = append(p.indexes, it.Index())
	}
	if len(p.indexes) > 0 {
		p.body = append(p.body[:0], `{"streams":[`...)
		for i := range p.labels {
			if i > 0 {
				p.body = append(p.body, ',')
			}
			p.body = append(p.body, `{"stream":`...)
			p.body = append(p.body, p.labels[i]...)
			p.body = append(p.body, `,"values":[`...)
			p.body = append(p.body, p.values[i]...)
			p.body = append(p.body, "]}"...)
		}
		p.body = append(p.body, "]}"...)
		_, err := o.client.Do(ctx, &httpout.Request{Path: o.uri, ContentType: "application/json", Body: p.body})
		out.Add(httpout.Batch{Body: p.body, Records: p.indexes}, err)
	}
	return out.Err()
}

// add appends one entry to its stream.
func (o *Output) add(p *push, ev *record.Event) error {
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
