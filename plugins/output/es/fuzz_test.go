package es

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/httpout"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// The fate of one document of a bulk request.
const (
	docDelivered = "delivered"
	docRetried   = "retried"
	docRejected  = "rejected"
)

// FuzzBulkResponse folds arbitrary bulk responses into an outcome and
// checks it against a reading of the response with encoding/json's generic
// values: a response that is not a readable JSON object, or whose items do
// not match the documents, retries every document; errors other than true
// deliver them all (a top-level errors:false in the first 64 bytes does
// whatever follows); an item that is not one operation retries them all;
// otherwise each document gets its own item's fate (2xx
// and a create's 409 delivered, 429 and 5xx retried, the rest rejected).
// Every error names the output, and the outcome is the same every time.
func FuzzBulkResponse(f *testing.F) {
	f.Add([]byte(`{"took":1,"errors":true,"items":[{"create":{"status":201}},{"create":{"status":400,"error":{"type":"x"}}}]}`))
	f.Add([]byte(`{"errors":true,"items":[{"index":{"status":429}}]}`))
	f.Add([]byte(`{"errors":true,"items":[{"index":{"status":409}},{"create":{"status":409}},{"index":{"status":503}}]}`))
	f.Add([]byte(`{"x":"\"errors\":false","errors":true,"items":[{"index":{"status":400}}]}`))
	f.Add([]byte(`{"took":0, "errors": false, "items": []}`))
	f.Add([]byte(`{"a":{"errors":false},"errors":true,"items":[{"index":{"status":400}},{"index":{"status":400}}]}`))
	f.Add([]byte(`{"errors":true,"items":[{"index":{"status":201},"create":{"status":400}},{"index":{"status":200}}]}`))
	f.Add([]byte(`{"errors":true,"items":[{},{"index":{"status":200}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		counts := []int{2}
		if items, ok := bulkReference(body, -1); ok && len(items) != 2 {
			counts = append(counts, len(items)) // as many documents as items
		}
		for _, n := range counts {
			o := &Output{id: "es.0"}
			out := httpout.Outcome{Records: n}
			b := httpout.Batch{}
			for i := range n {
				b.Records = append(b.Records, i)
			}
			o.results(&httpout.Response{Status: 200, Body: body}, b, &out)
			err := out.Err()
			if err != nil && !strings.Contains(err.Error(), "output es.0") {
				t.Fatalf("error %q does not name the output", err)
			}
			for range 3 { // map order must not decide a document's fate
				again := httpout.Outcome{Records: n}
				o.results(&httpout.Response{Status: 200, Body: body}, b, &again)
				if fmt.Sprint(fates(n, again.Err())) != fmt.Sprint(fates(n, err)) {
					t.Fatalf("%s: %v, then %v", body, fates(n, err), fates(n, again.Err()))
				}
			}
			want, judged := bulkReference(body, n)
			if got := fates(n, err); judged && fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s with %d documents: %v (%v), want %v", body, n, got, err, want)
			}
		}
	})
}

// fates reads the fate of each of n documents from the error Flush returns.
func fates(n int, err error) []string {
	f := make([]string, n)
	class, _, failed := plugin.Classify(err)
	fill := docDelivered
	switch {
	case err == nil:
	case class == plugin.ClassPermanent:
		fill = docRejected
	case class != plugin.ClassPartial:
		fill = docRetried
	}
	for i := range f {
		f[i] = fill
	}
	if class == plugin.ClassPartial {
		for _, i := range failed {
			f[i] = docRetried
		}
		for _, i := range plugin.Rejected(err) {
			f[i] = docRejected
		}
	}
	return f
}

// bulkReference judges a bulk response to n documents with encoding/json's
// generic values and returns each document's fate; n < 0 returns the fates
// of the items, however many. It does not judge (false) responses outside
// what it models: several errors keys, keys in other cases (encoding/json matches struct fields
// in any case), a mistyped errors, operations without an integer status.
func bulkReference(body []byte, n int) ([]string, bool) {
	all := func(fate string) ([]string, bool) {
		f := make([]string, max(n, 0))
		for i := range f {
			f[i] = fate
		}
		return f, true
	}
	lower := bytes.ToLower(body)
	for _, k := range []string{`"errors"`, `"items"`, `"status"`, `"error"`} {
		if bytes.Count(lower, []byte(k)) != bytes.Count(body, []byte(k)) {
			return nil, false
		}
	}
	if bytes.Count(body, []byte(`"errors"`)) > 1 {
		return nil, false // which one counts is the fast path's choice
	}
	if leadingErrorsFalse(body) {
		return all(docDelivered) // whatever follows
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return all(docRetried) // unreadable
	}
	if m["errors"] != true {
		if _, isBool := m["errors"].(bool); !isBool && m["errors"] != nil {
			return nil, false
		}
		return all(docDelivered)
	}
	items, ok := m["items"].([]any)
	if !ok && m["items"] != nil {
		return nil, false
	}
	if n >= 0 && len(items) != n {
		return all(docRetried) // items do not match the documents
	}
	for _, item := range items {
		if obj, ok := item.(map[string]any); ok && len(obj) != 1 {
			return all(docRetried) // not one operation: unreadable
		}
	}
	var out []string
	for _, item := range items {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, false
		}
		for op, v := range obj {
			res, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			status, ok := res["status"].(float64)
			if !ok || status != math.Trunc(status) || math.Abs(status) > 1e9 {
				return nil, false
			}
			switch s := int(status); {
			case s >= 200 && s < 300, s == 409 && op == "create":
				out = append(out, docDelivered)
			case s == 429 || s >= 500:
				out = append(out, docRetried)
			default:
				out = append(out, docRejected)
			}
		}
	}
	return out, true
}

// leadingErrorsFalse is the documented fast path, read with a streaming
// json.Decoder: the body is an object whose top-level errors member,
// written "errors": and ending within the first 64 bytes, is false; the
// rest of the body is not read.
func leadingErrorsFalse(body []byte) bool {
	i := bytes.Index(body, []byte(`"errors":`))
	if i < 0 || i+len(`"errors":`) > 64 || !bytes.HasPrefix(bytes.TrimLeft(body[i+len(`"errors":`):], " "), []byte("false")) {
		return false
	}
	d := json.NewDecoder(bytes.NewReader(body))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return false
		}
		if key == "errors" {
			v, err := d.Token()
			if err != nil || v != false {
				return false
			}
			rest := bytes.TrimLeft(body[d.InputOffset():], " \t\r\n")
			return len(rest) > 0 && (rest[0] == ',' || rest[0] == '}')
		}
		var raw json.RawMessage
		if d.Decode(&raw) != nil {
			return false
		}
	}
	return false
}
