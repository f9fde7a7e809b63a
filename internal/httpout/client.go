package httpout

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Options configures a Client.
type Options struct {
	// Output is the instance ID ("http.0" or the Alias), for errors.
	Output string
	// Host and Port address the destination; TLS, when set, makes it https.
	Host string
	Port int
	TLS  *tls.Config
	// Headers are sent with every request, in order (Fluent Bit's Header).
	Headers [][2]string
	// User and Password, when User is set, add HTTP basic authentication.
	User, Password string
	// Gzip compresses every body and sets Content-Encoding: gzip.
	Gzip bool
	// AWS, when set, signs every request with SigV4.
	AWS *AWSAuth
	// Timeout bounds one request, response included (default 60 s).
	Timeout time.Duration
	// Proxy, when set, is the HTTP proxy; otherwise HTTP_PROXY and
	// HTTPS_PROXY apply.
	Proxy *url.URL
	// Conns is how many idle connections are kept for reuse (the output's
	// Workers; at least 1).
	Conns int
}

// Client sends requests to one destination. It is safe for concurrent use
// by an output's Workers; connections are kept alive and reused.
type Client struct {
	opts    Options
	base    string // scheme://host:port
	http    *http.Client
	gzPool  sync.Pool
	bufPool sync.Pool
}

// New returns a Client for o. It does no I/O.
func New(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Conns < 1 {
		o.Conns = 1
	}
	scheme := "http"
	if o.TLS != nil {
		scheme = "https"
	}
	proxy := http.ProxyFromEnvironment
	if o.Proxy != nil {
		proxy = http.ProxyURL(o.Proxy)
	}
	tr := &http.Transport{
		Proxy:               proxy,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     o.TLS,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        o.Conns,
		MaxIdleConnsPerHost: o.Conns,
		IdleConnTimeout:     90 * time.Second,
		// Bodies are compressed by us when asked; never let the transport
		// add Accept-Encoding and decompress behind our back.
		DisableCompression: true,
	}
	if o.TLS != nil {
		tr.ForceAttemptHTTP2 = true
	}
	return &Client{
		opts: o,
		base: scheme + "://" + net.JoinHostPort(o.Host, strconv.Itoa(o.Port)),
		http: &http.Client{Transport: tr, Timeout: o.Timeout},
	}
}

// URL returns the absolute URL of path (which starts with /).
func (c *Client) URL(path string) string { return c.base + path }

// Request is one request to send.
type Request struct {
	// Method defaults to POST.
	Method string
	// Path is the URI, with its query, starting with /.
	Path        string
	ContentType string
	// Header holds extra headers of this request.
	Header [][2]string
	// Body is the uncompressed body; the Client compresses it when Gzip
	// is on. It is not kept after Do returns.
	Body []byte
	// MaxResponse bounds how much of the response body is read (default
	// MaxResponse); Response.Truncated tells when there was more.
	MaxResponse int64
}

// Response is what came back: the status, the headers and the start of
// the body (at most MaxResponse bytes).
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
}

// MaxResponse is how much of a response body is read by default.
const MaxResponse = 1 << 20

// Do sends r and returns the response and, for a status other than 2xx,
// the classified error (see Classify); a network error is returned as a
// retryable error naming the output and the URL. The response is returned
// whenever one arrived, so a caller can read per-item results of a 200.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	url := c.base + r.Path
	body := r.Body
	var zbuf *bytes.Buffer
	if c.opts.Gzip && len(body) > 0 {
		zbuf = c.compress(body)
		defer c.bufPool.Put(zbuf)
		body = zbuf.Bytes()
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("output %s: building %s %s: %w", c.opts.Output, method, url, err)
	}
	req.ContentLength = int64(len(body))
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	if zbuf != nil {
		req.Header.Set("Content-Encoding", "gzip")
	}
	req.Header.Set("User-Agent", "Sluice")
	for _, h := range c.opts.Headers {
		req.Header.Add(h[0], h[1])
	}
	for _, h := range r.Header {
		req.Header.Set(h[0], h[1])
	}
	if c.opts.User != "" {
		req.SetBasicAuth(c.opts.User, c.opts.Password)
	}
	if c.opts.AWS != nil {
		if err := c.opts.AWS.sign(ctx, req, body, c.opts.Output); err != nil {
			return nil, err
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.networkError(method, url, err)
	}
	defer resp.Body.Close()
	limit := r.MaxResponse
	if limit <= 0 {
		limit = MaxResponse
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	// Drain what is left (bounded) so the connection can be reused.
	rest, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, 4*MaxResponse))
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, Truncated: rest > 0}
	if err != nil && resp.StatusCode/100 == 2 {
		return out, c.networkError(method, url, err)
	}
	if resp.StatusCode/100 == 2 {
		return out, nil
	}
	se := &StatusError{Output: c.opts.Output, Method: method, URL: url, Status: resp.StatusCode, Body: snippet(data)}
	return out, Classify(se, resp.Header, time.Now())
}

// networkError explains a failed request; it stays retryable.
func (c *Client) networkError(method, url string, err error) error {
	hint := "check that the destination is up and reachable (Host, Port, tls); the records are retried"
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		hint = "the server's certificate was not trusted: set tls.ca_file, tls.vhost, or tls.verify off for testing"
	}
	return fmt.Errorf("output %s: %s %s: %w; %s", c.opts.Output, method, url, err, hint)
}

// compress gzips body into a pooled buffer.
func (c *Client) compress(body []byte) *bytes.Buffer {
	buf, _ := c.bufPool.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	zw, _ := c.gzPool.Get().(*gzip.Writer)
	if zw == nil {
		zw = gzip.NewWriter(buf)
	} else {
		zw.Reset(buf)
	}
	zw.Write(body) // writes to a bytes.Buffer do not fail
	zw.Close()
	c.gzPool.Put(zw)
	return buf
}

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// snippet is the start of a response body for an error message.
func snippet(b []byte) string {
	const max = 512
	b = bytes.TrimSpace(b)
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
