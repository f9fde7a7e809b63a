package es

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

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

// maxBulkBody bounds one bulk request before compression; Amazon
// OpenSearch Service refuses bodies over 10 MiB on its smallest instance
// types (its "Network limits"), so a chunk that encodes larger is sent in
// several requests.
const maxBulkBody = 5 << 20

// maxResponse bounds how much of a bulk response is read: it lists every
// document's result, about 150 bytes each.
const maxResponse = 64 << 20

// Output indexes chunks with the bulk API. It is safe for concurrent use.
type Output struct {
	id     string
	logger *slog.Logger
	client *httpout.Client
	path   string // Path/_bulk?pipeline=...

	index, docType    string
	logstash          bool
	prefix, prefixSep string
	prefixKey         *accessor.Path
	dateFormat        string
	timeKey           string
	timeFormat        string
	timeNanos         bool
	includeTag        bool
	tagKey            string
	generateID        bool
	idKey             *accessor.Path
	writeOp           string
	replaceDots       bool
	currentTime       bool
	traceOutput       bool
	traceError        bool

	bufs sync.Pool // *bulkEncoder
}

// New returns an es (or opensearch) output configured by s.Config (see
// Spec). It does no I/O.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		id:          s.ID,
		logger:      s.Logger,
		index:       c.String("Index"),
		docType:     c.String("Type"),
		logstash:    c.Bool("Logstash_Format"),
		prefix:      c.String("Logstash_Prefix"),
		prefixSep:   c.String("Logstash_Prefix_Separator"),
		dateFormat:  c.String("Logstash_DateFormat"),
		timeKey:     c.String("Time_Key"),
		timeFormat:  c.String("Time_Key_Format"),
		timeNanos:   c.Bool("Time_Key_Nanos"),
		includeTag:  c.Bool("Include_Tag_Key"),
		tagKey:      c.String("Tag_Key"),
		generateID:  c.Bool("Generate_ID"),
		writeOp:     c.String("Write_Operation"),
		replaceDots: c.Bool("Replace_Dots"),
		currentTime: c.Bool("Current_Time_Index"),
		traceOutput: c.Bool("Trace_Output"),
		traceError:  c.Bool("Trace_Error"),
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if c.Bool("Suppress_Type_Name") {
		o.docType = ""
	}
	var err error
	if k := c.String("Id_Key"); k != "" {
		if o.idKey, err = accessor.ParseKey(k); err != nil {
			return nil, c.Errorf("Id_Key", "%v", err)
		}
	}
	if k := c.String("Logstash_Prefix_Key"); k != "" {
		if o.prefixKey, err = accessor.ParseKey(k); err != nil {
			return nil, c.Errorf("Logstash_Prefix_Key", "%v", err)
		}
	}
	if (o.writeOp == "update" || o.writeOp == "upsert") && o.idKey == nil && !o.generateID {
		return nil, c.Errorf("Write_Operation", "%s needs the document's _id: set Id_Key or Generate_ID on", o.writeOp)
	}
	p := strings.TrimRight(c.String("Path"), "/")
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	o.path = p + "/_bulk"
	if pl := c.String("Pipeline"); pl != "" {
		o.path += "?pipeline=" + url.QueryEscape(pl)
	}
	host := c.String("Host")
	tlsCfg, err := tlsconf.Client(c, host)
	if err != nil {
		return nil, err
	}
	if c.String("HTTP_Passwd") != "" && c.String("HTTP_User") == "" {
		return nil, c.Errorf("HTTP_Passwd", "set HTTP_User too, or remove HTTP_Passwd")
	}
	o.client = httpout.New(httpout.Options{
		Output:   s.ID,
		Host:     host,
		Port:     int(c.Int("Port")),
		TLS:      tlsCfg,
		User:     c.String("HTTP_User"),
		Password: c.String("HTTP_Passwd"),
		Gzip:     c.String("compress") == "gzip",
		AWS:      httpout.AWSFromConfig(c, s.ID, "AWS_Service_Name"),
		Timeout:  c.Duration("net.io_timeout"),
		Conns:    int(c.Int("Workers")),
	})
	return o, nil
}

// Flush sends the chunk as one or more bulk requests and reports, per
// document, what the cluster did: refused documents are dropped
// (plugin.PartialRejected), throttled or failed ones retried.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	e, _ := o.bufs.Get().(*bulkEncoder)
	if e == nil {
		e = &bulkEncoder{o: o}
	}
	defer o.bufs.Put(e)
	e.tag, e.now = chunk.Tag, time.Now()
	out := httpout.Outcome{Records: chunk.Records}
	req := httpout.Request{Path: o.path, ContentType: "application/x-ndjson", MaxResponse: maxResponse}
	e.body = httpout.Split(chunk.Data, httpout.Limits{MaxBytes: maxBulkBody}, httpout.Framing{}, e.encode, e.body, &out, func(b httpout.Batch) bool {
		if o.traceOutput {
			o.logger.Debug("bulk request", "body", string(b.Body))
		}
		req.Body = b.Body
		resp, err := o.client.Do(ctx, &req)
		if err != nil {
			return out.Add(b, err)
		}
		for _, r := range o.results(resp, b, &out) {
			o.logger.Error("document refused (Trace_Error)", "tag", chunk.Tag, "status", r.err.status,
				"error", r.err.detail, "document", documentAt(b.Body, r.item))
		}
		return true
	})
	return out.Err()
}

// documentAt returns the document line of the k-th item of a bulk body
// (every item is an action line and a document line).
func documentAt(body []byte, k int) string {
	for line := 0; len(body) > 0; line++ {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			i = len(body)
		}
		if line == 2*k+1 {
			return string(body[:min(i, 4096)])
		}
		body = body[min(i+1, len(body)):]
	}
	return ""
}

// Close releases the kept connections.
func (o *Output) Close(context.Context) error {
	o.client.Close()
	return nil
}
