package http

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var (
	_ plugin.Output = (*Output)(nil)
	_ plugin.Closer = (*Output)(nil)
)

// Output sends chunks to an HTTP endpoint. It is safe for concurrent use
// by the output's Workers.
type Output struct {
	id          string
	logger      *slog.Logger
	client      *httpout.Client
	method      string
	uri         string
	format      string
	contentType string
	headerTag   string
	dateKey     string
	dateFormat  httpout.DateFormat
	gelf        gelfKeys
	logPayload  bool

	bufs sync.Pool // *[]byte bodies
}

// New returns an http output configured by s.Config (see Spec). It does
// no I/O.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		id:         s.ID,
		logger:     s.Logger,
		method:     c.String("http_Method"),
		uri:        c.String("URI"),
		format:     c.String("Format"),
		headerTag:  c.String("header_tag"),
		dateKey:    c.String("json_date_key"),
		dateFormat: httpout.ParseDateFormat(c.String("json_date_format")),
		logPayload: c.Bool("log_response_payload"),
		gelf: gelfKeys{
			timestamp: c.String("gelf_timestamp_key"),
			host:      c.String("gelf_host_key"),
			short:     c.String("gelf_short_message_key"),
			full:      c.String("gelf_full_message_key"),
			level:     c.String("gelf_level_key"),
		},
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if strings.EqualFold(o.dateKey, "false") {
		o.dateKey = ""
	}
	if !strings.HasPrefix(o.uri, "/") {
		return nil, c.Errorf("URI", "%q must start with /", o.uri)
	}
	switch o.format {
	case "msgpack":
		o.contentType = "application/msgpack"
	case "json", "gelf":
		o.contentType = "application/json"
	default:
		o.contentType = "application/x-ndjson"
	}
	opts, err := httpout.OptionsFromConfig(c, s.ID, c.Bool("allow_duplicated_headers"))
	if err != nil {
		return nil, err
	}
	opts.Gzip = c.String("compress") == "gzip"
	o.client = httpout.New(opts)
	return o, nil
}

// Flush sends the chunk: in one request, or one per record with gelf.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	req := httpout.Request{Method: o.method, Path: o.uri, ContentType: o.contentType}
	if o.headerTag != "" {
		req.Header = [][2]string{{o.headerTag, chunk.Tag}}
	}
	if o.format == "msgpack" {
		req.Body = chunk.Data
		_, err := o.client.Do(ctx, &req)
		return o.logged(err)
	}
	bp, _ := o.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer o.bufs.Put(bp)
	out := httpout.Outcome{Records: chunk.Records}
	*bp = httpout.Split(chunk.Data, o.limits(), o.framing(), o.encoder(), *bp, &out, func(b httpout.Batch) bool {
		req.Body = b.Body
		_, err := o.client.Do(ctx, &req)
		return out.Add(b, err)
	})
	return o.logged(out.Err())
}

func (o *Output) logged(err error) error {
	if !o.logPayload {
		return httpout.WithoutResponse(o.id, err)
	}
	return err
}

func (o *Output) limits() httpout.Limits {
	if o.format == "gelf" {
		return httpout.Limits{MaxRecords: 1}
	}
	return httpout.Limits{}
}

func (o *Output) framing() httpout.Framing {
	if o.format == "json" {
		return httpout.Framing{Open: "[", Sep: ",", Close: "]"}
	}
	return httpout.Framing{}
}

func (o *Output) encoder() httpout.Encoder {
	switch o.format {
	case "json", "json_stream":
		return func(dst []byte, ev *record.Event) ([]byte, error) {
			return httpout.AppendRecordJSON(dst, ev, o.dateKey, o.dateFormat)
		}
	case "gelf":
		return func(dst []byte, ev *record.Event) ([]byte, error) {
			return appendGELF(dst, ev, &o.gelf)
		}
	}
	return func(dst []byte, ev *record.Event) ([]byte, error) {
		dst, err := httpout.AppendRecordJSON(dst, ev, o.dateKey, o.dateFormat)
		return append(dst, '\n'), err
	}
}

// Close releases the kept connections.
func (o *Output) Close(context.Context) error {
	o.client.Close()
	return nil
}
