package httpout

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/tlsconf"
)

// ProxyFromConfig reads an HTTP proxy parameter (Fluent Bit's Proxy,
// http://host:port): nil when unset, so HTTP_PROXY and HTTPS_PROXY apply.
func ProxyFromConfig(c *plugin.Config, param string) (*url.URL, error) {
	p := c.String(param)
	if p == "" {
		return nil, nil
	}
	proxy, err := url.Parse(p)
	if err != nil || proxy.Host == "" {
		return nil, c.Errorf(param, "%q is not a URL like http://proxy:3128", p)
	}
	return proxy, nil
}

// HeadersFromConfig reads a repeatable "NAME VALUE" header parameter
// (Fluent Bit's Header). With allowDuplicates off, a repeated name keeps
// only its last value, as in Fluent Bit.
func HeadersFromConfig(c *plugin.Config, param string, allowDuplicates bool) ([][2]string, error) {
	var out [][2]string
	for _, w := range c.AllWords(param) {
		name := strings.TrimSpace(w[0])
		if strings.ContainsAny(name, " :\t\r\n") {
			return nil, c.Errorf(param, "%q is not a header name; write %s NAME VALUE", name, param)
		}
		if !allowDuplicates {
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

// WithoutResponse replaces err, the result of a flush whose response body
// must not be logged (log_response_payload off), by an error of the same
// class that names only the output and the class. Partial failures are
// returned as they are: they carry the records to retry.
func WithoutResponse(output string, err error) error {
	class, wait, _ := plugin.Classify(err)
	if err == nil || class == plugin.ClassPartial {
		return err
	}
	denied := plugin.IsAccessDenied(err)
	reason := plugin.DropReason(err)
	err = fmt.Errorf("output %s: request failed (%s; response not logged: log_response_payload off)", output, class)
	switch class {
	case plugin.ClassPermanent:
		return plugin.PermanentReason(reason, err)
	case plugin.ClassThrottled:
		return plugin.Throttled(err, wait)
	}
	if denied {
		return plugin.AccessDenied(err)
	}
	return err
}

// OptionsFromConfig reads the connection parameters an HTTP output shares
// with Fluent Bit's out_http: Host, Port, tls.*, Proxy, Header, http_User
// and http_Passwd, the SigV4 parameters of AWSParams (service in
// AWS_Service), net.io_timeout and Workers. The caller sets what is its
// own (Gzip, extra headers) before New.
func OptionsFromConfig(c *plugin.Config, output string, allowDuplicateHeaders bool) (Options, error) {
	host := c.String("Host")
	tlsCfg, err := tlsconf.Client(c, host)
	if err != nil {
		return Options{}, err
	}
	proxy, err := ProxyFromConfig(c, "Proxy")
	if err != nil {
		return Options{}, err
	}
	headers, err := HeadersFromConfig(c, "Header", allowDuplicateHeaders)
	if err != nil {
		return Options{}, err
	}
	user := c.String("http_User")
	if user == "" && c.String("http_Passwd") != "" {
		return Options{}, c.Errorf("http_Passwd", "set http_User too, or remove http_Passwd")
	}
	aws := AWSFromConfig(c, output, "AWS_Service")
	if aws != nil && aws.Service == "" {
		return Options{}, c.Errorf("AWS_Service", "AWS_Auth on needs the service to sign for, e.g. AWS_Service es (OpenSearch) or aps (Managed Prometheus)")
	}
	return Options{
		Output:   output,
		Host:     host,
		Port:     int(c.Int("Port")),
		TLS:      tlsCfg,
		Headers:  headers,
		User:     user,
		Password: c.String("http_Passwd"),
		AWS:      aws,
		Timeout:  c.Duration("net.io_timeout"),
		Proxy:    proxy,
		Conns:    int(c.Int("Workers")),
	}, nil
}
