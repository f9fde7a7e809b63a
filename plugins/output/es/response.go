package es

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// bulkResponse is the part of a _bulk response Sluice reads. It is decoded
// only when the response says some item failed (errors: true).
type bulkResponse struct {
	Errors bool                  `json:"errors"`
	Items  []map[string]bulkItem `json:"items"`
}

type bulkItem struct {
	Status int             `json:"status"`
	Error  json.RawMessage `json:"error"`
}

// errorsFalse reports whether the response starts with errors:false, the
// common case that needs no decoding. Elasticsearch and OpenSearch write
// {"took":N,"errors":false,...} (OpenSearch may put "errors" first). Only a
// top-level key counts: what precedes it must be the start of an object
// ("{" or members and a comma), so that a nested {"errors":false}, or text
// that is not an object at all, is decoded (and judged) in full. The rest
// of the body is not read, so a response cut after errors:false (longer
// than maxResponse) still delivers the batch.
func errorsFalse(body []byte) bool {
	head := body[:min(len(body), 64)]
	i := bytes.Index(head, []byte(`"errors":`))
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(body[i+len(`"errors":`):], " ")
	if !bytes.HasPrefix(rest, []byte("false")) {
		return false
	}
	if after := bytes.TrimLeft(rest[len("false"):], " \t\r\n"); len(after) == 0 || (after[0] != ',' && after[0] != '}') {
		return false
	}
	prefix := bytes.TrimRight(head[:i], " \t\r\n")
	if bytes.Equal(bytes.TrimLeft(prefix, " \t\r\n"), []byte("{")) {
		return true
	}
	if len(prefix) == 0 || prefix[len(prefix)-1] != ',' {
		return false
	}
	var obj [64]byte // the members before errors, closed: a valid object?
	n := copy(obj[:], prefix[:len(prefix)-1])
	obj[n] = '}'
	return json.Valid(obj[:n+1])
}

// refused is a document of a batch the cluster refused: its position in
// the body and the error.
type refused struct {
	item int
	err  *itemError
}

// itemError is one document's failure, as the cluster reported it.
type itemError struct {
	output string
	status int
	detail string
}

func (e *itemError) Error() string {
	return fmt.Sprintf("output %s: document refused with status %d: %s", e.output, e.status, e.detail)
}

// results folds a bulk response into out, one result per record of b.
// A document refused with 409 by a create means it is already indexed (a
// resent document with Generate_ID or Id_Key): delivered. 429 and 5xx are
// retried; any other status is a permanent refusal of that document only.
// With Trace_Error, it returns the refused items (at most 20) for logging.
func (o *Output) results(resp *httpout.Response, b httpout.Batch, out *httpout.Outcome) (traced []refused) {
	if errorsFalse(resp.Body) {
		out.Add(b, nil)
		return nil
	}
	var br bulkResponse
	if resp.Truncated {
		out.Add(b, fmt.Errorf("output %s: the bulk response was larger than %d bytes and cannot be read; the documents are sent again", o.id, maxResponse))
		return nil
	}
	if err := json.Unmarshal(resp.Body, &br); err != nil {
		out.Add(b, fmt.Errorf("output %s: unreadable bulk response (%v): %.200s", o.id, err, resp.Body))
		return nil
	}
	if !br.Errors {
		out.Add(b, nil)
		return nil
	}
	if len(br.Items) != len(b.Records) {
		out.Add(b, fmt.Errorf("output %s: the bulk response has %d items for %d documents; the documents are sent again", o.id, len(br.Items), len(b.Records)))
		return nil
	}
	// Each item is one operation ({"create": {...}}); with several, which
	// one counted would be up to map order: the response is unreadable.
	for k, item := range br.Items {
		if len(item) != 1 {
			out.Add(b, fmt.Errorf("output %s: item %d of the bulk response has %d operations, want 1; the documents are sent again", o.id, k, len(item)))
			return nil
		}
	}
	for k, item := range br.Items {
		var it bulkItem
		var op string
		for name, v := range item {
			op, it = name, v
		}
		idx := b.Records[k]
		switch s := it.Status; {
		case s >= 200 && s < 300, s == http.StatusConflict && op == "create":
			out.Item(idx, nil)
		case s == http.StatusTooManyRequests || s >= 500:
			out.Item(idx, &itemError{o.id, s, string(it.Error)})
		default:
			e := &itemError{o.id, s, string(it.Error)}
			out.Item(idx, plugin.Permanent(e))
			if o.traceError && len(traced) < 20 {
				traced = append(traced, refused{item: k, err: e})
			}
		}
	}
	return traced
}
