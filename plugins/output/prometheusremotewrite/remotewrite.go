package prometheusremotewrite

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/metricrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var (
	_ plugin.Output = (*Output)(nil)
	_ plugin.Closer = (*Output)(nil)
)

// The headers of the Remote-Write 1.0 specification.
const (
	contentType     = "application/x-protobuf"
	protocolVersion = "0.1.0"
)

// Output writes metric records to a remote-write receiver. It is safe for
// concurrent use by the output's Workers.
type Output struct {
	id          string
	logger      *slog.Logger
	client      *httpout.Client
	uri         string
	compression string
	extra       []metricrecord.Label
	logPayload  bool
	zstd        *zstd.Encoder // with compression zstd; EncodeAll is concurrency safe

	reqs sync.Pool // *pending
}

// pending is the request being built for one chunk, with its buffers.
type pending struct {
	wr         *writeRequest
	compressed []byte
}

// New returns a prometheus_remote_write output configured by s.Config
// (see Spec). It does no I/O.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		id:          s.ID,
		logger:      s.Logger,
		uri:         c.String("uri"),
		compression: c.String("compression"),
		logPayload:  c.Bool("log_response_payload"),
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if !strings.HasPrefix(o.uri, "/") { // as Fluent Bit does
		o.uri = "/" + o.uri
	}
	var err error
	if o.extra, err = metricrecord.ExtraLabels(c.AllWords("add_label")); err != nil {
		return nil, c.Errorf("add_label", "%v", err)
	}
	// Fluent Bit's remote-write client keeps only the last of repeated
	// header names (flb_http_allow_duplicated_headers off).
	opts, err := httpout.OptionsFromConfig(c, s.ID, false)
	if err != nil {
		return nil, err
	}
	opts.Gzip = o.compression == "gzip"
	if o.compression == "zstd" {
		// EncodeAll runs on the calling worker's goroutine.
		if o.zstd, err = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1)); err != nil {
			return nil, fmt.Errorf("output %s: zstd encoder: %w", s.ID, err)
		}
	}
	o.client = httpout.New(opts)
	return o, nil
}

// Flush sends the chunk's metric records in one WriteRequest. Records that
// are not metric records are rejected (dropped and counted by the engine);
// the others are delivered, retried or dropped by the response's status.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	p, _ := o.reqs.Get().(*pending)
	if p == nil {
		p = &pending{wr: newWriteRequest(o.extra)}
	}
	defer o.reqs.Put(p)
	w := p.wr
	w.reset()
	out := httpout.Outcome{Records: chunk.Records}
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		ev := it.Event()
		if err := w.add(ev.Body, ev.Time); err != nil {
			out.Item(it.Index(), plugin.Permanent(fmt.Errorf(
				"output %s: record %d of tag %q is not a metric record (%v), so it cannot be written; route only records shaped as fluentbit_metrics emits them to this output",
				o.id, it.Index(), chunk.Tag, err)))
			continue
		}
		w.records = append(w.records, it.Index())
	}
	if err := it.Err(); err != nil {
		bad := plugin.Permanent(fmt.Errorf("output %s: chunk of tag %q: %w", o.id, chunk.Tag, err))
		for i := it.Index() + 1; i < chunk.Records; i++ {
			out.Item(i, bad)
		}
	}
	if len(w.records) > 0 {
		body := w.encode()
		req := httpout.Request{Path: o.uri, ContentType: contentType,
			Header: [][2]string{{"X-Prometheus-Remote-Write-Version", protocolVersion}}}
		switch o.compression {
		case "snappy":
			p.compressed = s2.EncodeSnappy(p.compressed[:cap(p.compressed)], body)
			body = p.compressed
			req.Header = append(req.Header, [2]string{"Content-Encoding", "snappy"})
		case "zstd":
			p.compressed = o.zstd.EncodeAll(body, p.compressed[:0])
			body = p.compressed
			req.Header = append(req.Header, [2]string{"Content-Encoding", "zstd"})
		} // gzip: the client compresses and sets Content-Encoding.
		req.Body = body
		_, err := o.client.Do(ctx, &req)
		out.Add(httpout.Batch{Body: body, Records: w.records}, err)
	}
	err := out.Err()
	if !o.logPayload {
		err = httpout.WithoutResponse(o.id, err)
	}
	return err
}

// Close releases the kept connections.
func (o *Output) Close(context.Context) error {
	o.client.Close()
	if o.zstd != nil {
		return o.zstd.Close()
	}
	return nil
}
