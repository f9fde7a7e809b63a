package awsconf

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

type recordingBody struct {
	io.Reader
	closed int
}

func (r *recordingBody) Close() error { r.closed++; return nil }

type recordingClient struct{ body []byte }

func (c *recordingClient) Do(r *http.Request) (*http.Response, error) {
	r.Body.Close() // what the SDK does early must not end the body
	c.body, _ = io.ReadAll(r.Body)
	return &http.Response{StatusCode: 200}, nil
}

// TestBodyKeepingClient checks that an early Close of the request body is
// ignored and the SDK's body is closed once read to its end. The
// end-to-end regression test is e2e's
// TestFirehoseDeliversEveryRecordOnceUnderPartialFailures: without the
// wrapper, calls the emulator accepted fail in the client and their
// records arrive twice.
func TestBodyKeepingClient(t *testing.T) {
	inner := &recordingClient{}
	body := &recordingBody{Reader: strings.NewReader("payload")}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", nil)
	req.Body = body
	if _, err := (bodyKeepingClient{next: inner}).Do(req); err != nil {
		t.Fatal(err)
	}
	if string(inner.body) != "payload" {
		t.Errorf("transport read %q after an early Close", inner.body)
	}
	if body.closed != 1 {
		t.Errorf("SDK body closed %d times, want once at end of file", body.closed)
	}
	req.Body.Close()
	if body.closed != 1 {
		t.Errorf("Close after EOF reached the SDK body again")
	}
}
