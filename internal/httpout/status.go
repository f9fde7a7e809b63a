package httpout

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// StatusError is a response whose status is not 2xx.
type StatusError struct {
	Output string // instance ID, e.g. "http.0"
	Method string
	URL    string // without credentials
	Status int
	Body   string // start of the response body
	Hint   string // what the operator can do
}

// Error says which output's request failed, how, and what to do.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("output %s: %s %s: HTTP %d %s", e.Output, e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Classify wraps the StatusError of a non-2xx response in the engine's
// error class for its status (see the package doc); it returns nil for
// 2xx. header is the response's, for Retry-After.
func Classify(e *StatusError, header http.Header, now time.Time) error {
	s := e.Status
	switch {
	case s >= 200 && s < 300:
		return nil
	case s == http.StatusTooManyRequests:
		e.Hint = "the destination is rate limiting; the records are retried later"
		return plugin.Throttled(e, RetryAfter(header, now))
	case s == http.StatusServiceUnavailable:
		e.Hint = "the destination is unavailable; the records are retried later"
		if w := RetryAfter(header, now); w > 0 {
			return plugin.Throttled(e, w)
		}
		return e
	case s == http.StatusRequestTimeout || s >= 500:
		e.Hint = "the destination failed; the records are retried later"
		return e
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		e.Hint = "check the credentials (http_User/http_Passwd, a token header, AWS_Auth and the IAM policy) of this section; the records are kept and retried"
		return plugin.AccessDenied(e)
	default:
		e.Hint = "the destination rejected the records; they are dropped (check the section's URI, Format and the destination's limits)"
		return plugin.PermanentReason(plugin.ReasonRejected, e)
	}
}

// maxRetryAfter caps a server's Retry-After so a wrong header cannot stall
// an output for hours; the engine's backoff applies after it anyway.
const maxRetryAfter = 5 * time.Minute

// RetryAfter reads a Retry-After header, in seconds or as an HTTP date
// (RFC 9110 §10.2.3), capped at five minutes; 0 when absent or invalid.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d < 0 {
		return 0
	}
	return min(d, maxRetryAfter)
}
