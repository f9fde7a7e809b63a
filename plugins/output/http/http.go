package http

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/tlsconf"
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
	host := c.String("Host")
	tlsCfg, err := tlsconf.Client(c, host)
	if err != nil {
		return nil, err
	}
	var proxy *url.URL
	if p := c.String("Proxy"); p != "" {
		if proxy, err = url.Parse(p); err != nil || proxy.Host == "" {
			return nil, c.Errorf("Proxy", "%q is not a URL like http://proxy:3128", p)
		}
	}
	headers, err := headers(c)
	if err != nil {
		return nil, err
	}
	user := c.String("http_User")
	if user == "" && c.String("http_Passwd") != "" {
		return nil, c.Errorf("http_Passwd", "set http_User too, or remove http_Passwd")
	}
	aws := httpout.AWSFromConfig(c, s.ID, "AWS_Service")
	if aws != nil && aws.Service == "" {
		return nil, c.Errorf("AWS_Service", "AWS_Auth on needs the service to sign for, e.g. AWS_Service es")
	}
	o.client = httpout.New(httpout.Options{
		Output:   s.ID,
		Host:     host,
		Port:     int(c.Int("Port")),
		TLS:      tlsCfg,
		Headers:  headers,
		User:     user,
		Password: c.String("http_Passwd"),
		Gzip:     c.String("compress") == "gzip",
		AWS:      aws,
		Timeout:  c.Duration("net.io_timeout"),
		Proxy:    proxy,
		Conns:    int(c.Int("Workers")),
	})
	return o, nil
}

// headers reads the Header parameters; with allow_duplicated_headers off,
// a repeated name keeps only its last value, as in Fluent Bit.
func headers(c *plugin.Config) ([][2]string, error) {
	var out [][2]string
	for _, w := range c.AllWords("Header") {
		name := strings.TrimSpace(w[0])
		if strings.ContainsAny(name, " :\t\r\n") {
			return nil, c.Errorf("Header", "%q is not a header name; write Header NAME VALUE", name)
		}
		if !c.Bool("allow_duplicated_headers") {
			for i := range out {
				if strings.EqualFold(out[i][0], name) {
					out = append(out[:i], out[i+1:]...)
					break
				}
			}
		}
		out = append(out, [2]string{name, w[1]})
	}
	return out, nil
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
	if class, _, _ := plugin.Classify(err); err != nil && !o.logPayload && class != plugin.ClassPartial {
		// The error carries the response body; keep only the status.
		class, wait, _ := plugin.Classify(err)
		denied := plugin.IsAccessDenied(err)
		reason := plugin.DropReason(err)
		err = fmt.Errorf("output %s: request failed (%s; response not logged: log_response_payload off)", o.id, class)
		switch class {
		case plugin.ClassPermanent:
			return plugin.PermanentReason(reason, err)
		case plugin.ClassThrottled:
			return plugin.Throttled(err, wait)
		}
		if denied {
			return plugin.AccessDenied(err)
		}
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
