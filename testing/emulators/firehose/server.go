package firehose

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Limits of PutRecordBatch (Amazon Data Firehose developer guide, "Quotas").
const (
	MaxBatchRecords = 500
	MaxRecordBytes  = 1000 * 1024
	MaxBatchBytes   = 4 << 20
)

// Injection configures the failures the emulator injects.
type Injection struct {
	// FailFraction is the probability that a record of a PutRecordBatch
	// fails with RecordErrorCode the first time its data arrives; a record
	// that already failed once is accepted.
	FailFraction float64
	// RecordErrorCode is the per-record error code; ServiceUnavailableException
	// when empty (InternalFailure is the other one Firehose uses).
	RecordErrorCode string
	// ThrottleEvery, when positive, answers every n-th PutRecordBatch call
	// with ServiceUnavailableException as a whole.
	ThrottleEvery int
	// Seed makes the record failures reproducible.
	Seed uint64
}

// Stats counts what the emulator saw.
type Stats struct {
	// Calls is the number of PutRecordBatch calls, including rejected ones.
	Calls int
	// Throttled counts calls answered with ServiceUnavailableException.
	Throttled int
	// Rejected counts calls refused for breaking a limit or the protocol.
	Rejected int
	// FailedRecords counts records answered with a per-record ErrorCode.
	FailedRecords int
	// MaxCallRecords and MaxCallBytes are the largest accepted call.
	MaxCallRecords, MaxCallBytes int
	// Errors lists the error codes of rejected calls, in order.
	Errors []string
}

// Server is the emulator. Its methods are safe for concurrent use.
type Server struct {
	mu      sync.Mutex
	streams map[string][][]byte
	inject  Injection
	rng     *rand.Rand
	failed  map[[32]byte]bool
	stats   Stats
	ln      net.Listener
	http    *http.Server
	done    chan struct{}
}

// New returns an emulator with the given delivery streams.
func New(inject Injection, streams ...string) *Server {
	s := &Server{streams: map[string][][]byte{}, inject: inject,
		rng: rand.New(rand.NewPCG(inject.Seed, inject.Seed^0x9e3779b97f4a7c15)), failed: map[[32]byte]bool{}}
	if s.inject.RecordErrorCode == "" {
		s.inject.RecordErrorCode = "ServiceUnavailableException"
	}
	for _, n := range streams {
		s.streams[n] = nil
	}
	return s
}

// Start serves on addr ("127.0.0.1:0" for any free port) and returns the
// endpoint URL. Close stops it.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.ln, s.http, s.done = ln, &http.Server{Handler: s}, make(chan struct{})
	go func() { defer close(s.done); s.http.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the server started by Start and waits for it.
func (s *Server) Close() {
	if s.http != nil {
		s.http.Close()
		<-s.done
	}
}

// Records returns a copy of the records stored for stream, in arrival order.
func (s *Server) Records(stream string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.streams[stream]...)
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Errors = append([]string(nil), s.stats.Errors...)
	return st
}

var streamName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)

// apiError is an error answer of the JSON protocol.
type apiError struct {
	status int
	code   string
	msg    string
}

// ServeHTTP answers one API request (or the /_emulator/records read-back).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/_emulator/records" {
		s.serveRecords(w, r)
		return
	}
	out, aerr := s.handle(r)
	if aerr != nil {
		s.mu.Lock()
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutRecordBatch") {
			if aerr.code == "ServiceUnavailableException" {
				s.stats.Throttled++
			} else {
				s.stats.Rejected++
			}
		}
		s.stats.Errors = append(s.stats.Errors, aerr.code)
		s.mu.Unlock()
		w.Header().Set("X-Amzn-Errortype", aerr.code)
		reply(w, aerr.status, map[string]string{"__type": aerr.code, "message": aerr.msg})
		return
	}
	reply(w, http.StatusOK, out)
}

// reply writes v as the JSON body with a Content-Length and a request ID,
// as AWS does.
func reply(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("X-Amzn-Requestid", recordID())
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) serveRecords(w http.ResponseWriter, r *http.Request) {
	recs := s.Records(r.URL.Query().Get("stream"))
	enc := make([]string, len(recs))
	for i, d := range recs {
		enc[i] = base64.StdEncoding.EncodeToString(d)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"Records": enc})
}

func (s *Server) handle(r *http.Request) (any, *apiError) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, &apiError{404, "UnknownOperationException", "POST / expected"}
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		return nil, &apiError{400, "MissingAuthenticationTokenException", "request is not signed with SigV4"}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.1") {
		return nil, &apiError{400, "SerializationException", "Content-Type " + ct + " is not application/x-amz-json-1.1"}
	}
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "Firehose_20150804.")
	if !ok {
		return nil, &apiError{400, "UnknownOperationException", "unknown X-Amz-Target " + r.Header.Get("X-Amz-Target")}
	}
	var req struct {
		DeliveryStreamName string
		Records            []struct{ Data *string }
		Record             *struct{ Data *string }
	}
	// Read the body to its end before answering, as AWS does.
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return nil, &apiError{400, "SerializationException", "reading the body: " + err.Error()}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{400, "SerializationException", "body is not JSON: " + err.Error()}
	}
	switch action {
	case "CreateDeliveryStream":
		if !streamName.MatchString(req.DeliveryStreamName) {
			return nil, invalidName(req.DeliveryStreamName)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.streams[req.DeliveryStreamName]; ok {
			return nil, &apiError{400, "ResourceInUseException", "delivery stream " + req.DeliveryStreamName + " exists"}
		}
		s.streams[req.DeliveryStreamName] = nil
		return map[string]string{"DeliveryStreamARN": "arn:aws:firehose:us-east-1:000000000000:deliverystream/" + req.DeliveryStreamName}, nil
	case "DeleteDeliveryStream":
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.streams[req.DeliveryStreamName]; !ok {
			return nil, notFound(req.DeliveryStreamName)
		}
		delete(s.streams, req.DeliveryStreamName)
		return struct{}{}, nil
	case "ListDeliveryStreams":
		s.mu.Lock()
		defer s.mu.Unlock()
		names := []string{}
		for n := range s.streams {
			names = append(names, n)
		}
		return map[string]any{"DeliveryStreamNames": names, "HasMoreDeliveryStreams": false}, nil
	case "PutRecord":
		if req.Record == nil {
			return nil, &apiError{400, "ValidationException", "Record is required"}
		}
		data, aerr := decodeRecord(req.Record.Data, 0)
		if aerr != nil {
			return nil, aerr
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.checkStream(req.DeliveryStreamName); err != nil {
			return nil, err
		}
		s.streams[req.DeliveryStreamName] = append(s.streams[req.DeliveryStreamName], data)
		return map[string]any{"RecordId": recordID(), "Encrypted": false}, nil
	case "PutRecordBatch":
		return s.putRecordBatch(req.DeliveryStreamName, req.Records)
	}
	return nil, &apiError{400, "UnknownOperationException", "operation " + action + " is not emulated"}
}

func (s *Server) putRecordBatch(name string, records []struct{ Data *string }) (any, *apiError) {
	s.mu.Lock()
	s.stats.Calls++
	call := s.stats.Calls
	s.mu.Unlock()
	if n := len(records); n < 1 || n > MaxBatchRecords {
		return nil, &apiError{400, "ValidationException", fmt.Sprintf("1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length between 1 and %d (got %d)", MaxBatchRecords, n)}
	}
	datas := make([][]byte, len(records))
	total := 0
	for i, rec := range records {
		d, aerr := decodeRecord(rec.Data, i)
		if aerr != nil {
			return nil, aerr
		}
		datas[i] = d
		total += len(d)
	}
	if total > MaxBatchBytes {
		return nil, &apiError{400, "InvalidArgumentException", fmt.Sprintf("Records size %d exceeds the 4 MiB limit of PutRecordBatch", total)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkStream(name); err != nil {
		return nil, err
	}
	if s.inject.ThrottleEvery > 0 && call%s.inject.ThrottleEvery == 0 {
		return nil, &apiError{400, "ServiceUnavailableException", "Slow down."}
	}
	s.stats.MaxCallRecords = max(s.stats.MaxCallRecords, len(datas))
	s.stats.MaxCallBytes = max(s.stats.MaxCallBytes, total)
	type entry struct {
		RecordId     string `json:",omitempty"`
		ErrorCode    string `json:",omitempty"`
		ErrorMessage string `json:",omitempty"`
	}
	resp := make([]entry, len(datas))
	failed := 0
	for i, d := range datas {
		if s.inject.FailFraction > 0 {
			sum := sha256.Sum256(d)
			if !s.failed[sum] && s.rng.Float64() < s.inject.FailFraction {
				s.failed[sum] = true
				resp[i] = entry{ErrorCode: s.inject.RecordErrorCode, ErrorMessage: "injected failure"}
				failed++
				continue
			}
		}
		s.streams[name] = append(s.streams[name], d)
		resp[i] = entry{RecordId: recordID()}
	}
	s.stats.FailedRecords += failed
	return map[string]any{"FailedPutCount": failed, "Encrypted": false, "RequestResponses": resp}, nil
}

func decodeRecord(data *string, i int) ([]byte, *apiError) {
	if data == nil {
		return nil, &apiError{400, "ValidationException", fmt.Sprintf("record %d: Data is required", i)}
	}
	d, err := base64.StdEncoding.DecodeString(*data)
	if err != nil {
		return nil, &apiError{400, "SerializationException", fmt.Sprintf("record %d: Data is not base64: %v", i, err)}
	}
	if len(d) > MaxRecordBytes {
		return nil, &apiError{400, "ValidationException", fmt.Sprintf("record %d: Data of %d bytes exceeds %d", i, len(d), MaxRecordBytes)}
	}
	return d, nil
}

// checkStream must be called with s.mu held.
func (s *Server) checkStream(name string) *apiError {
	if !streamName.MatchString(name) {
		return invalidName(name)
	}
	if _, ok := s.streams[name]; !ok {
		return notFound(name)
	}
	return nil
}

func invalidName(name string) *apiError {
	return &apiError{400, "ValidationException", fmt.Sprintf("Value %q at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and length 1-64", name)}
}

func notFound(name string) *apiError {
	return &apiError{400, "ResourceNotFoundException", "Firehose " + name + " under account 000000000000 not found."}
}

func recordID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return base64.RawURLEncoding.EncodeToString(b[:])
}
