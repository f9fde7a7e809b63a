// Package hec is an in-memory emulator of Splunk's HTTP Event Collector
// for Sluice's tests: POST /services/collector/event with concatenated
// JSON events (and /services/collector/raw), the token checked as
// "Authorization: Splunk TOKEN" (401 code 2 without one, 403 code 4 for a
// wrong one), and HEC's answer to a batch with an invalid event — 400
// {"text":"Invalid data format","code":6,"invalid-event-number":N} after
// indexing the events before N, as Splunk does.
package hec

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Event is an indexed HEC event.
type Event struct {
	Time       float64           `json:"time"`
	Host       string            `json:"host"`
	Source     string            `json:"source"`
	Sourcetype string            `json:"sourcetype"`
	Index      string            `json:"index"`
	Fields     map[string]string `json:"fields"`
	Event      json.RawMessage   `json:"event"`
}

// Server is a running emulator.
type Server struct {
	*httptest.Server
	Token string
	// Invalid, when set, marks an event HEC refuses (code 6).
	Invalid func(e *Event) bool
	// Busy, when set, answers a request with 503 code 9 (server busy).
	Busy func(n int) bool

	mu       sync.Mutex
	events   []Event
	raw      [][]byte
	requests int
	headers  []http.Header
}

// Start runs an emulator that expects token.
func Start(token string) *Server {
	s := &Server{Token: token}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Events returns the indexed events.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// Raw returns the bodies posted to the raw endpoint.
func (s *Server) Raw() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

// Requests returns the number of requests and their headers.
func (s *Server) Requests() (int, []http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, append([]http.Header(nil), s.headers...)
}

func answer(w http.ResponseWriter, status, code int, text string, extra string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"text":%q,"code":%d%s}`, text, code, extra)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			answer(w, 400, 6, "Invalid data format", "")
			return
		}
		rd = zr
	}
	body, _ := io.ReadAll(rd)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.headers = append(s.headers, r.Header.Clone())
	switch auth := r.Header.Get("Authorization"); {
	case auth == "":
		answer(w, 401, 2, "Token is required", "")
		return
	case auth != "Splunk "+s.Token:
		answer(w, 403, 4, "Invalid token", "")
		return
	}
	if s.Busy != nil && s.Busy(s.requests) {
		answer(w, 503, 9, "Server is busy", "")
		return
	}
	switch r.URL.Path {
	case "/services/collector/raw":
		s.raw = append(s.raw, body)
		answer(w, 200, 0, "Success", "")
		return
	case "/services/collector/event", "/services/collector":
	default:
		answer(w, 404, 404, "The requested URL was not found on this server.", "")
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for n := 0; dec.More(); n++ {
		var e Event
		if err := dec.Decode(&e); err != nil || len(e.Event) == 0 || (s.Invalid != nil && s.Invalid(&e)) {
			answer(w, 400, 6, "Invalid data format", fmt.Sprintf(`,"invalid-event-number":%d`, n))
			return
		}
		s.events = append(s.events, e)
	}
	answer(w, 200, 0, "Success", "")
}
