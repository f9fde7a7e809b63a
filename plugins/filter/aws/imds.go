package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The instance metadata service (IMDS) protocol:
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
const (
	defaultEndpoint = "http://169.254.169.254"
	tokenPath       = "/latest/api/token"
	tokenTTLHeader  = "X-aws-ec2-metadata-token-ttl-seconds"
	tokenHeader     = "X-aws-ec2-metadata-token"
	// tokenTTL is the session token's lifetime, Fluent Bit's 6 hours.
	tokenTTL = 6 * time.Hour
	// requestTimeout bounds one IMDS request; IMDS answers in
	// milliseconds, and a v2 token request from a container behind a hop
	// limit of 1 never does.
	requestTimeout = 2 * time.Second
	maxBody        = 1 << 20
)

// errNotFound is a 404: the item does not exist on this instance (tags
// not enabled, no tags).
var errNotFound = errors.New("not found")

// imdsClient reads the instance metadata service, with a session token for
// IMDSv2.
type imdsClient struct {
	endpoint string
	v2       bool
	http     *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

func (c *imdsClient) sessionToken(ctx context.Context, refresh bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !refresh && c.token != "" && time.Now().Before(c.expires) {
		return c.token, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.endpoint+tokenPath, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set(tokenTTLHeader, fmt.Sprint(int(tokenTTL/time.Second)))
	body, err := c.do(req)
	if err != nil {
		return "", fmt.Errorf("IMDSv2 token: %w (in a container, the instance's metadata hop limit must be 2, or set imds_version v1)", err)
	}
	c.token, c.expires = body, time.Now().Add(tokenTTL-time.Minute)
	return c.token, nil
}

// get returns the text at path. With IMDSv2 a 401 (an expired token)
// fetches a new token and retries once.
func (c *imdsClient) get(ctx context.Context, path string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+path, nil)
		if err != nil {
			return "", err
		}
		if c.v2 {
			tok, err := c.sessionToken(ctx, attempt > 0)
			if err != nil {
				return "", err
			}
			req.Header.Set(tokenHeader, tok)
		}
		body, err := c.do(req)
		var st *statusError
		if c.v2 && attempt == 0 && errors.As(err, &st) && st.code == http.StatusUnauthorized {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("GET %s: %w", path, err)
		}
		return body, nil
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d", e.code) }

func (c *imdsClient) do(req *http.Request) (string, error) {
	req.Header.Set("User-Agent", "Sluice")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", errNotFound
	case resp.StatusCode != http.StatusOK:
		return "", &statusError{resp.StatusCode}
	}
	return strings.TrimSpace(string(body)), nil
}

// accountID reads the account from the instance identity document.
func (c *imdsClient) accountID(ctx context.Context) (string, error) {
	doc, err := c.get(ctx, "/latest/dynamic/instance-identity/document")
	if err != nil {
		return "", err
	}
	var d struct {
		AccountID string `json:"accountId"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil || d.AccountID == "" {
		return "", fmt.Errorf("instance identity document has no accountId")
	}
	return d.AccountID, nil
}

// vpcID reads the VPC of the instance's primary network interface.
func (c *imdsClient) vpcID(ctx context.Context) (string, error) {
	mac, err := c.get(ctx, "/latest/meta-data/mac")
	if err != nil {
		return "", err
	}
	return c.get(ctx, "/latest/meta-data/network/interfaces/macs/"+mac+"/vpc-id")
}

// tags reads the instance's tags, in the order IMDS lists their keys; nil
// when the instance has none or does not expose them (404).
func (c *imdsClient) tags(ctx context.Context) ([][2]string, error) {
	list, err := c.get(ctx, "/latest/meta-data/tags/instance")
	if errors.Is(err, errNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, key := range strings.Split(list, "\n") {
		if key = strings.TrimSpace(key); key == "" {
			continue
		}
		v, err := c.get(ctx, "/latest/meta-data/tags/instance/"+key)
		if err != nil {
			return nil, fmt.Errorf("tag %s: %w", key, err)
		}
		out = append(out, [2]string{key, v})
	}
	return out, nil
}
