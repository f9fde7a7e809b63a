// Package bulk is an in-memory emulator of the Elasticsearch/OpenSearch
// _bulk API for Sluice's tests: it parses newline-delimited bulk bodies
// as the real service does (an action line, then a document line; update
// takes {"doc": ...}), answers with the real response shape
// ({"took", "errors", "items": [{op: {"_index", "_id", "status",
// "error": {"type", "reason"}}}]}), keeps the documents by index, refuses
// a create of an existing _id with 409 version_conflict_engine_exception,
// and can be told to fail chosen documents (Fault) with 400 mapping
// errors or 429 es_rejected_execution_exception, or whole requests.
package bulk

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Doc is an indexed document.
type Doc struct {
	Index, ID, Type string
	Source          map[string]any
}

// Server is a running emulator.
type Server struct {
	*httptest.Server

	mu sync.Mutex
	// Fault, when set, may fail one document: it returns the status to
	// answer for it (0 or 2xx: index it).
	Fault func(doc map[string]any) int
	// RequestFault, when set, may fail a whole request with a status.
	RequestFault func(n int) int
	// Auth, when set, requires SigV4-signed requests (403 otherwise).
	Auth     *SigV4
	docs     []Doc
	ids      map[string]bool // index/id
	requests int
	headers  []http.Header
}

// Start runs an emulator until the test's cleanup (the caller closes it).
func Start() *Server {
	s := &Server{ids: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Docs returns the documents indexed so far.
func (s *Server) Docs() []Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Doc(nil), s.docs...)
}

// Requests returns how many bulk requests arrived and their headers.
func (s *Server) Requests() (int, []http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, append([]http.Header(nil), s.headers...)
}

type item struct {
	Index  string     `json:"_index"`
	ID     string     `json:"_id,omitempty"`
	Status int        `json:"status"`
	Error  *itemError `json:"error,omitempty"`
}

type itemError struct {
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/_bulk") {
		http.Error(w, `{"error":"no handler found for uri"}`, http.StatusBadRequest)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	if s.Auth != nil {
		if why := s.Auth.check(r, raw); why != "" {
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]string{"message": why})
			return
		}
	}
	body := raw
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			http.Error(w, `{"error":"bad gzip"}`, http.StatusBadRequest)
			return
		}
		body, _ = io.ReadAll(zr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.headers = append(s.headers, r.Header.Clone())
	if s.RequestFault != nil {
		if st := s.RequestFault(s.requests); st != 0 {
			w.WriteHeader(st)
			fmt.Fprintf(w, `{"error":{"type":"injected","reason":"request %d"},"status":%d}`, s.requests, st)
			return
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var items []map[string]item
	errors := false
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var action map[string]struct {
			Index string `json:"_index"`
			Type  string `json:"_type"`
			ID    string `json:"_id"`
		}
		if err := json.Unmarshal(line, &action); err != nil || len(action) != 1 {
			http.Error(w, fmt.Sprintf(`{"error":{"type":"illegal_argument_exception","reason":"Malformed action/metadata line [%s]"},"status":400}`, line), 400)
			return
		}
		if !sc.Scan() {
			http.Error(w, `{"error":{"type":"illegal_argument_exception","reason":"The bulk request must be terminated by a newline [\\n]"},"status":400}`, 400)
			return
		}
		var src map[string]any
		if err := json.Unmarshal(sc.Bytes(), &src); err != nil {
			http.Error(w, fmt.Sprintf(`{"error":{"type":"x_content_parse_exception","reason":"%v"},"status":400}`, err), 400)
			return
		}
		for op, a := range action {
			if op == "update" {
				if d, ok := src["doc"].(map[string]any); ok {
					src = d
				}
			}
			it := item{Index: a.Index, ID: a.ID, Status: 201}
			key := a.Index + "/" + a.ID
			fault := 0
			if s.Fault != nil && a.Index != "" {
				fault = s.Fault(src)
			}
			switch {
			case a.Index == "":
				it.Status, it.Error = 400, &itemError{"action_request_validation_exception", "index is missing"}
			case fault == 400:
				it.Status, it.Error = 400, &itemError{"mapper_parsing_exception", "failed to parse field [n] of type [long]"}
			case fault == 429:
				it.Status, it.Error = 429, &itemError{"es_rejected_execution_exception", "rejected execution of coordinating operation"}
			case op == "create" && a.ID != "" && s.ids[key]:
				it.Status, it.Error = 409, &itemError{"version_conflict_engine_exception", "[" + a.ID + "]: version conflict, document already exists"}
			default:
				if a.ID != "" {
					s.ids[key] = true
				}
				s.docs = append(s.docs, Doc{Index: a.Index, ID: a.ID, Type: a.Type, Source: src})
			}
			if it.Error != nil {
				errors = true
			}
			items = append(items, map[string]item{op: it})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"took": 3, "errors": errors, "items": items})
}
