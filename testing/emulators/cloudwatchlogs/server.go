package cloudwatchlogs

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/iam"
)

// Options configure a Server.
type Options struct {
	// Now is the clock for ingestion times and the too-old/too-new rules;
	// time.Now when nil.
	Now func() time.Time
	// AccessKeyID, when set, is the only access key accepted.
	AccessKeyID string
	// SecretAccessKey, with AccessKeyID, makes the emulator recompute and
	// check every request's SigV4 signature.
	SecretAccessKey string
	// RequireSequenceToken enables the legacy sequence-token protocol.
	RequireSequenceToken bool
	// Region and Account appear in ARNs; us-east-1 and 123456789012 when
	// empty.
	Region, Account string
	// Seed seeds the random choice of faulty calls (0: a fixed seed).
	Seed int64
}

// Faults are failures the server injects. The zero value injects none.
type Faults struct {
	// ThrottleRate is the fraction of calls answered ThrottlingException.
	ThrottleRate float64 `json:"throttle_rate"`
	// ErrorRate is the fraction of calls answered 503
	// ServiceUnavailableException.
	ErrorRate float64 `json:"error_rate"`
	// Unavailable answers every call with 503 (an outage).
	Unavailable bool `json:"unavailable"`
	// DropConnections closes every call's connection without an answer.
	DropConnections bool `json:"drop_connections"`
	// Latency delays every answer.
	Latency time.Duration `json:"latency"`
	// DenyGroups are log groups whose calls get AccessDeniedException.
	DenyGroups []string `json:"deny_groups"`
	// Operations, when set, limits the throttle, error and outage faults
	// to these operations ("PutLogEvents").
	Operations []string `json:"operations"`
}

// Stats counts what the server did.
type Stats struct {
	// Calls counts the calls per operation, faulty ones included.
	Calls map[string]int `json:"calls"`
	// Errors counts error answers per error code.
	Errors map[string]int `json:"errors"`
	// Events is the number of events stored.
	Events int `json:"events"`
	// EMFCalls counts PutLogEvents calls with x-amzn-logs-format: json/emf.
	EMFCalls int `json:"emf_calls"`
	// Batches describes the accepted PutLogEvents calls, oldest first
	// (the last maxBatches of them).
	Batches []Batch `json:"batches"`
}

// Batch is an accepted PutLogEvents call.
type Batch struct {
	Group  string `json:"group"`
	Stream string `json:"stream"`
	// Events is the number of events in the call, Bytes their size as
	// CloudWatch Logs counts it (message bytes + 26 per event).
	Events int `json:"events"`
	Bytes  int `json:"bytes"`
	// First and Last are the timestamps of its first and last events.
	First int64 `json:"first"`
	Last  int64 `json:"last"`
}

// maxBatches bounds Stats.Batches.
const maxBatches = 10000

// Event is a stored log event.
type Event struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// Server is the emulator, an http.Handler. It is safe for concurrent use.
type Server struct {
	opts Options

	mu     sync.Mutex
	rng    *rand.Rand
	faults Faults
	stats  Stats
	groups map[string]*logGroup
	// policy, when set, authorises every call (policy.go).
	policy []*iam.Document
}

// New returns an empty emulator.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	s := &Server{opts: opts, rng: rand.New(rand.NewSource(seed)), groups: map[string]*logGroup{}}
	s.resetLocked()
	return s
}

func (s *Server) resetLocked() {
	s.groups = map[string]*logGroup{}
	s.stats = Stats{Calls: map[string]int{}, Errors: map[string]int{}}
	s.faults = Faults{}
	s.policy = nil
}

// Reset forgets every group, stream, event, counter and fault.
func (s *Server) Reset() {
	s.mu.Lock()
	s.resetLocked()
	s.mu.Unlock()
}

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Calls, st.Errors = map[string]int{}, map[string]int{}
	for k, v := range s.stats.Calls {
		st.Calls[k] = v
	}
	for k, v := range s.stats.Errors {
		st.Errors[k] = v
	}
	st.Batches = append([]Batch(nil), s.stats.Batches...)
	return st
}

// Events returns the events stored in a stream, in ingestion order (nil
// if the stream does not exist).
func (s *Server) Events(group, stream string) []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	if g == nil || g.streams[stream] == nil {
		return nil
	}
	return append([]Event(nil), g.streams[stream].events...)
}

// Streams returns the stream names of a group, sorted.
func (s *Server) Streams(group string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	if g == nil {
		return nil
	}
	return g.streamNames("")
}

// Groups returns the log group names, sorted.
func (s *Server) Groups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groupNames("")
}

// Retention returns a group's retention in days (0: never expire) and
// whether the group exists.
func (s *Server) Retention(group string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	if g == nil {
		return 0, false
	}
	return g.retention, true
}

// Group describes a log group.
type Group struct {
	Class string
	// Retention is in days; 0 never expires.
	Retention int
	Tags      map[string]string
}

// Group returns what the emulator holds about a log group and whether it
// exists.
func (s *Server) Group(name string) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[name]
	if g == nil {
		return Group{}, false
	}
	tags := map[string]string{}
	for k, v := range g.tags {
		tags[k] = v
	}
	return Group{Class: g.class, Retention: g.retention, Tags: tags}, true
}

// apiError is an error answer of the API.
type apiError struct {
	status  int
	code    string
	message string
	extra   map[string]any
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func invalidParameter(format string, args ...any) *apiError {
	return &apiError{status: 400, code: "InvalidParameterException", message: fmt.Sprintf(format, args...)}
}

func notFound(what string) *apiError {
	return &apiError{status: 400, code: "ResourceNotFoundException", message: "The specified " + what + " does not exist."}
}

var authHeader = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/logs/aws4_request, ?SignedHeaders=([a-z0-9;\-]+), ?Signature=[0-9a-f]{64}$`)

// checkSignature enforces the shape of a SigV4 Authorization header and,
// with Options.SecretAccessKey, the signature itself.
func (s *Server) checkSignature(r *http.Request, body []byte) *apiError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return &apiError{status: 400, code: "MissingAuthenticationTokenException", message: "Missing Authentication Token"}
	}
	m := authHeader.FindStringSubmatch(auth)
	if m == nil || r.Header.Get("X-Amz-Date") == "" {
		return &apiError{status: 400, code: "IncompleteSignatureException", message: "Authorization header requires a SigV4 Credential, SignedHeaders and Signature, and X-Amz-Date must be set"}
	}
	signed := ";" + m[4] + ";"
	if !strings.Contains(signed, ";host;") || !strings.Contains(signed, ";x-amz-date;") {
		return &apiError{status: 400, code: "IncompleteSignatureException", message: "SignedHeaders must include host and x-amz-date"}
	}
	if s.opts.AccessKeyID != "" && m[1] != s.opts.AccessKeyID {
		return &apiError{status: 400, code: "UnrecognizedClientException", message: "The security token included in the request is invalid."}
	}
	if s.opts.SecretAccessKey != "" {
		return verifySignature(r, body, m[1], m[3], m[4], s.opts.SecretAccessKey)
	}
	return nil
}

// ServeHTTP answers API calls (POST / with X-Amz-Target) and the admin API
// under /_emulator/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		s.serveAdmin(w, r)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "Logs_20140328.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &apiError{status: 400, code: "UnknownOperationException", message: "unknown operation " + target})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return
	}
	s.mu.Lock()
	s.stats.Calls[op]++
	f := s.faults
	var fault *apiError
	drop := false
	if f.appliesTo(op) {
		switch {
		case f.DropConnections:
			drop = true
		case f.Unavailable, f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate:
			fault = &apiError{status: 503, code: "ServiceUnavailableException", message: "The service is unavailable. Please try again later."}
		case f.ThrottleRate > 0 && s.rng.Float64() < f.ThrottleRate:
			fault = &apiError{status: 400, code: "ThrottlingException", message: "Rate exceeded"}
		}
	}
	if fault != nil {
		s.stats.Errors[fault.code]++
	}
	s.mu.Unlock()

	if f.Latency > 0 {
		select {
		case <-time.After(f.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if fault != nil {
		writeError(w, fault)
		return
	}
	if aerr := s.checkSignature(r, body); aerr != nil {
		s.countError(aerr)
		writeError(w, aerr)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-amz-json-1.1") {
		aerr := &apiError{status: 400, code: "SerializationException", message: "Content-Type must be application/x-amz-json-1.1"}
		s.countError(aerr)
		writeError(w, aerr)
		return
	}
	resp, aerr := s.dispatch(op, body, r.Header)
	if aerr != nil {
		s.countError(aerr)
		writeError(w, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("emu-%d", time.Now().UnixNano()))
	if resp == nil {
		resp = struct{}{}
	}
	json.NewEncoder(w).Encode(resp)
}

func (f *Faults) appliesTo(op string) bool {
	if len(f.Operations) == 0 {
		return true
	}
	for _, o := range f.Operations {
		if o == op {
			return true
		}
	}
	return false
}

func (s *Server) countError(e *apiError) {
	s.mu.Lock()
	s.stats.Errors[e.code]++
	s.mu.Unlock()
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", e.code)
	w.WriteHeader(e.status)
	body := map[string]any{"__type": e.code, "message": e.message}
	for k, v := range e.extra {
		body[k] = v
	}
	json.NewEncoder(w).Encode(body)
}

// dispatch decodes the request of op (outside the lock, so calls decode
// in parallel) and runs it under the lock.
func (s *Server) dispatch(op string, body []byte, h http.Header) (any, *apiError) {
	if len(body) == 0 {
		body = []byte("{}")
	}
	var in any
	var run func() (any, *apiError)
	switch op {
	case "CreateLogGroup":
		v := &createLogGroupInput{}
		in, run = v, func() (any, *apiError) { return nil, s.createLogGroup(v) }
	case "CreateLogStream":
		v := &createLogStreamInput{}
		in, run = v, func() (any, *apiError) { return nil, s.createLogStream(v) }
	case "PutRetentionPolicy":
		v := &putRetentionPolicyInput{}
		in, run = v, func() (any, *apiError) { return nil, s.putRetentionPolicy(v) }
	case "PutLogEvents":
		v := &putLogEventsInput{}
		in, run = v, func() (any, *apiError) {
			if h.Get("X-Amzn-Logs-Format") == "json/emf" {
				s.stats.EMFCalls++
			}
			return s.putLogEvents(v)
		}
	case "DescribeLogGroups":
		v := &describeLogGroupsInput{}
		in, run = v, func() (any, *apiError) { return s.describeLogGroups(v) }
	case "DescribeLogStreams":
		v := &describeLogStreamsInput{}
		in, run = v, func() (any, *apiError) { return s.describeLogStreams(v) }
	case "GetLogEvents":
		v := &getLogEventsInput{}
		in, run = v, func() (any, *apiError) { return s.getLogEvents(v) }
	case "FilterLogEvents":
		v := &filterLogEventsInput{}
		in, run = v, func() (any, *apiError) { return s.filterLogEvents(v) }
	default:
		return nil, &apiError{status: 400, code: "UnknownOperationException", message: "operation " + op + " is not emulated"}
	}
	if err := json.Unmarshal(body, in); err != nil {
		return nil, &apiError{status: 400, code: "SerializationException", message: "cannot decode the request: " + err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return run()
}

// denied answers AccessDeniedException if faults deny group or, in policy
// mode, the policies do not allow the call (caller holds s.mu).
func (s *Server) denied(action, group, stream string) *apiError {
	if e := s.policyDenied(action, group, stream); e != nil {
		return e
	}
	for _, g := range s.faults.DenyGroups {
		if g == group {
			resource := s.groupARN(group)
			if stream != "" {
				resource += ":log-stream:" + stream
			}
			return &apiError{status: 400, code: "AccessDeniedException", message: fmt.Sprintf(
				"User: arn:aws:sts::%s:assumed-role/emulator/sluice is not authorized to perform: logs:%s on resource: %s because no identity-based policy allows the logs:%s action",
				s.opts.Account, action, resource, action)}
		}
	}
	return nil
}

func (s *Server) groupARN(group string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.opts.Region, s.opts.Account, group)
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_emulator/faults":
		if r.Method == http.MethodGet {
			s.mu.Lock()
			f := s.faults
			s.mu.Unlock()
			json.NewEncoder(w).Encode(f)
			return
		}
		var f Faults
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			http.Error(w, "faults: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.SetFaults(f)
		w.WriteHeader(http.StatusNoContent)
	case "/_emulator/policy":
		s.servePolicy(w, r)
	case "/_emulator/stats":
		json.NewEncoder(w).Encode(s.Stats())
	case "/_emulator/events":
		json.NewEncoder(w).Encode(s.Events(r.URL.Query().Get("group"), r.URL.Query().Get("stream")))
	case "/_emulator/reset":
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// Running is an emulator serving on a TCP address.
type Running struct {
	*Server
	// URL is the endpoint to configure, "http://127.0.0.1:PORT".
	URL  string
	addr string

	mu  sync.Mutex
	srv *http.Server // nil while Down
}

// Start serves a new emulator on addr ("127.0.0.1:0" picks a free port)
// until Close.
func Start(addr string, opts Options) (*Running, error) {
	run := &Running{Server: New(opts)}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cloudwatch logs emulator: listen on %s: %w", addr, err)
	}
	run.addr = ln.Addr().String()
	run.URL = "http://" + run.addr
	run.serve(ln)
	return run, nil
}

func (r *Running) serve(ln net.Listener) {
	r.srv = &http.Server{Handler: r.Server, ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
}

// Down stops listening and closes every connection, so clients get
// "connection refused" (an outage of the endpoint itself); the stored
// state is kept for Up.
func (r *Running) Down() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv == nil {
		return nil
	}
	err := r.srv.Close()
	r.srv = nil
	return err
}

// Up listens again on the same address after Down.
func (r *Running) Up() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		return fmt.Errorf("cloudwatch logs emulator: listen again on %s: %w", r.addr, err)
	}
	r.serve(ln)
	return nil
}

// Close stops serving and closes open connections.
func (r *Running) Close() error { return r.Down() }
