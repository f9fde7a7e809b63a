package kubernetes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// apiClient asks the API server (or the kubelet) for pods and namespaces.
// Its HTTP client is built on first use, so that constructing the filter
// does no I/O; it is safe for concurrent use.
type apiClient struct {
	apiBase     string // Kube_URL without a trailing slash
	kubeletBase string // https://Kubelet_Host:Kubelet_Port
	useKubelet  bool
	maxBody     int64 // Buffer_Size; 0: no limit
	tokenFile   string
	tokenTTL    time.Duration
	caFile      string
	caPath      string
	vhost       string
	verify      bool
	logger      *slog.Logger
	now         func() time.Time

	initOnce sync.Once
	http     *http.Client

	mu        sync.Mutex
	token     string
	tokenRead time.Time // zero: never read
	tokenWarn bool      // a missing token file was reported
}

// errStatus is an API answer other than 200 OK.
type errStatus struct {
	url    string
	status int
	body   string
}

func (e *errStatus) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d: %s", e.url, e.status, e.body)
}

func (c *apiClient) init() {
	c.initOnce.Do(func() {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 4
		if c.useKubelet || strings.HasPrefix(c.apiBase, "https:") {
			tr.TLSClientConfig = c.tlsConfig()
		}
		// No client-wide timeout: every request carries a context with
		// Kube_Meta_IO_Timeout.
		c.http = &http.Client{Transport: tr}
	})
}

// tlsConfig trusts the system roots plus Kube_CA_File and the certificates
// in Kube_CA_Path. A missing CA file is logged, not fatal: the API server
// may present a publicly trusted certificate, or tls.verify may be off.
func (c *apiClient) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.vhost}
	if !c.verify {
		cfg.InsecureSkipVerify = true
		return cfg
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	files := []string{}
	if c.caFile != "" {
		files = append(files, c.caFile)
	}
	if c.caPath != "" {
		if entries, err := os.ReadDir(c.caPath); err == nil {
			for _, e := range entries {
				if !e.IsDir() {
					files = append(files, filepath.Join(c.caPath, e.Name()))
				}
			}
		} else {
			c.logger.Warn("cannot read Kube_CA_Path; using the system's CA certificates", "path", c.caPath, "error", err)
		}
	}
	for _, f := range files {
		pem, err := os.ReadFile(f)
		if err != nil {
			c.logger.Warn("cannot read CA file; using the system's CA certificates", "file", f, "error", err)
			continue
		}
		if !pool.AppendCertsFromPEM(pem) {
			c.logger.Warn("CA file holds no PEM certificate", "file", f)
		}
	}
	cfg.RootCAs = pool
	return cfg
}

// bearer returns the token to send, reading Kube_Token_File when it was
// never read, when Kube_Token_TTL has passed, or when force is set (after a
// 401: projected service account tokens rotate). It returns "" when there
// is no token file, and sends no Authorization header then.
func (c *apiClient) bearer(force bool) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if !force && !c.tokenRead.IsZero() && now.Sub(c.tokenRead) < c.tokenTTL {
		return c.token
	}
	c.tokenRead = now
	data, err := os.ReadFile(c.tokenFile)
	if err != nil {
		if !c.tokenWarn {
			c.logger.Warn("cannot read Kube_Token_File; requests carry no token", "file", c.tokenFile, "error", err)
			c.tokenWarn = true
		}
		c.token = ""
		return ""
	}
	c.tokenWarn = false
	c.token = strings.TrimSpace(string(data))
	return c.token
}

// get fetches u and returns its body. A 401 reads the token file again and
// retries once when the token changed.
func (c *apiClient) get(ctx context.Context, u string) ([]byte, error) {
	c.init()
	token := c.bearer(false)
	body, err := c.do(ctx, u, token)
	var st *errStatus
	if errors.As(err, &st) && st.status == http.StatusUnauthorized {
		if fresh := c.bearer(true); fresh != token {
			return c.do(ctx, u, fresh)
		}
	}
	return body, err
}

func (c *apiClient) do(ctx context.Context, u, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "Sluice")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if c.maxBody > 0 {
		r = io.LimitReader(resp.Body, c.maxBody+1)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the response: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		snippet := string(body)
		if len(snippet) > 200 {
			snippet = snippet[:200] + "…"
		}
		return nil, &errStatus{url: u, status: resp.StatusCode, body: strings.TrimSpace(snippet)}
	}
	if c.maxBody > 0 && int64(len(body)) > c.maxBody {
		return nil, fmt.Errorf("GET %s: response larger than Buffer_Size (%d bytes); raise Buffer_Size or set it to 0", u, c.maxBody)
	}
	return body, nil
}

// pod fetches one pod from the API server, or from the kubelet's pod list
// with Use_Kubelet.
func (c *apiClient) pod(ctx context.Context, namespace, name string) (*pod, error) {
	if c.useKubelet {
		body, err := c.get(ctx, c.kubeletBase+"/pods")
		if err != nil {
			return nil, err
		}
		var list podList
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, fmt.Errorf("kubelet /pods: %w", err)
		}
		for i := range list.Items {
			p := &list.Items[i]
			if p.Metadata.Name == name && p.Metadata.Namespace == namespace {
				p.decodeAnnotations()
				return p, nil
			}
		}
		return nil, fmt.Errorf("kubelet /pods: pod %s/%s is not in the list (%d pods)", namespace, name, len(list.Items))
	}
	u := c.apiBase + "/api/v1/namespaces/" + url.PathEscape(namespace) + "/pods/" + url.PathEscape(name)
	body, err := c.get(ctx, u)
	if err != nil {
		return nil, err
	}
	p, err := decodePod(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return p, nil
}

// namespace fetches one namespace from the API server (the kubelet has no
// namespaces, so Use_Kubelet does not apply).
func (c *apiClient) namespace(ctx context.Context, name string) (*namespaceObject, error) {
	u := c.apiBase + "/api/v1/namespaces/" + url.PathEscape(name)
	body, err := c.get(ctx, u)
	if err != nil {
		return nil, err
	}
	var ns namespaceObject
	if err := json.Unmarshal(body, &ns); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return &ns, nil
}

// close drops idle connections.
func (c *apiClient) close() {
	if c.http != nil {
		c.http.CloseIdleConnections()
	}
}
