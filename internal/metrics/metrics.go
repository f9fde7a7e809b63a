// Package metrics holds the counters the engine keeps for every input,
// filter and output instance. The engine increments them on the data path
// (atomics, no locks, no allocation); the monitoring server reads them as a
// Snapshot and renders Fluent Bit's JSON and Prometheus shapes.
//
// Plugins do not touch these counters: the engine counts what enters, what
// leaves, what is retried and what is dropped, so no plugin can forget to.
package metrics

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Registry owns the counters of one running pipeline.
type Registry struct {
	start time.Time

	mu       sync.Mutex
	inputs   []*Input
	filters  []*Filter
	outputs  []*Output
	storage  []*Storage        // see storage.go
	rejected map[string]uint64 // dead-lettered records per output
}

// NewRegistry returns an empty registry whose uptime starts now.
func NewRegistry() *Registry { return &Registry{start: time.Now()} }

// Start is when the registry (and so the pipeline) started.
func (r *Registry) Start() time.Time { return r.start }

// Reset forgets every instance, keeping the start time: a hot reload
// replaces the pipeline, and the new one registers its instances afresh.
func (r *Registry) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inputs, r.filters, r.outputs, r.storage, r.rejected = nil, nil, nil, nil, nil
}

// Input counts what one input instance produced.
type Input struct {
	Name   string // instance name, e.g. "dummy.0" or its Alias
	Plugin string

	Records atomic.Uint64 // records accepted into the pipeline
	Bytes   atomic.Uint64 // encoded bytes accepted

	// BufferedBytes is the size of this input's chunks not yet delivered
	// to every output they were routed to (what Mem_Buf_Limit bounds).
	BufferedBytes atomic.Int64
	// MemBufLimit is the configured Mem_Buf_Limit (0: none).
	MemBufLimit int64
	// Paused is how many times the input was paused for Mem_Buf_Limit.
	Paused atomic.Uint64
	// Unrouted counts records no output matched, discarded as in Fluent Bit.
	Unrouted atomic.Uint64
	// Dropped counts, by reason, what the input gave up on before it
	// became a record (a line longer than its buffer).
	Dropped Drops
}

// Filter counts what one filter instance changed.
type Filter struct {
	Name   string
	Plugin string

	Records     atomic.Uint64 // records that went in
	DropRecords atomic.Uint64 // records the filter removed
	AddRecords  atomic.Uint64 // records the filter added
	Errors      atomic.Uint64 // batches the filter failed on (passed on unchanged)
	// Dropped counts, by reason, records the filter lost through a fault
	// (not those it removes by design, which DropRecords counts).
	Dropped Drops
}

// Output counts what one output instance delivered, retried and dropped.
type Output struct {
	Name   string
	Plugin string

	ProcRecords    atomic.Uint64 // records delivered
	ProcBytes      atomic.Uint64 // bytes delivered
	Errors         atomic.Uint64 // failed flush attempts
	Retries        atomic.Uint64 // retries scheduled
	RetriesFailed  atomic.Uint64 // chunks given up after Retry_Limit
	RetriedRecords atomic.Uint64 // records in retried chunks
	DroppedRecords atomic.Uint64 // records given up on, for any reason
	// AccessDenied counts failed flush attempts whose error was an
	// AccessDenied (plugin.IsAccessDenied): the output's credentials lack
	// a permission, and the records wait for it to be granted.
	AccessDenied atomic.Uint64

	dropped Drops // DroppedRecords by reason

	mu       sync.Mutex
	denied   string // the last AccessDenied message
	deniedAt time.Time
}

// Denied counts one AccessDenied flush attempt and keeps its message for
// the health report.
func (o *Output) Denied(msg string) {
	o.AccessDenied.Add(1)
	o.mu.Lock()
	o.denied, o.deniedAt = msg, time.Now()
	o.mu.Unlock()
}

// LastDenied returns the message of the last AccessDenied, or "".
func (o *Output) LastDenied() string {
	msg, _ := o.LastDeniedAt()
	return msg
}

// LastDeniedAt returns the message and time of the last AccessDenied
// ("" and the zero time before any).
func (o *Output) LastDeniedAt() (string, time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.denied, o.deniedAt
}

// Drops counts records given up on, by reason. The zero value is ready.
type Drops struct {
	total    atomic.Uint64
	mu       sync.Mutex
	byReason map[string]uint64
}

// Add counts n records dropped for reason.
func (d *Drops) Add(reason string, n int) {
	d.total.Add(uint64(n))
	d.mu.Lock()
	if d.byReason == nil {
		d.byReason = map[string]uint64{}
	}
	d.byReason[reason] += uint64(n)
	d.mu.Unlock()
}

// Total is the number of records dropped for any reason.
func (d *Drops) Total() uint64 { return d.total.Load() }

// ByReason returns the counts per reason.
func (d *Drops) ByReason() map[string]uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]uint64, len(d.byReason))
	for k, v := range d.byReason {
		out[k] = v
	}
	return out
}

// Drop counts n records this output gave up on, with a reason from
// plugin's Reason constants ("retry_limit", "permanent_error", "oversize", ...).
func (o *Output) Drop(reason string, n int) {
	o.DroppedRecords.Add(uint64(n))
	o.dropped.Add(reason, n)
}

// DroppedByReason returns the dropped-record counts per reason.
func (o *Output) DroppedByReason() map[string]uint64 { return o.dropped.ByReason() }

// NewInput registers the counters of an input instance.
func (r *Registry) NewInput(name, plugin string, memBufLimit int64) *Input {
	in := &Input{Name: name, Plugin: plugin, MemBufLimit: memBufLimit}
	r.mu.Lock()
	r.inputs = append(r.inputs, in)
	r.mu.Unlock()
	return in
}

// NewFilter registers the counters of a filter instance.
func (r *Registry) NewFilter(name, plugin string) *Filter {
	f := &Filter{Name: name, Plugin: plugin}
	r.mu.Lock()
	r.filters = append(r.filters, f)
	r.mu.Unlock()
	return f
}

// NewOutput registers the counters of an output instance.
func (r *Registry) NewOutput(name, plugin string) *Output {
	o := &Output{Name: name, Plugin: plugin}
	r.mu.Lock()
	r.outputs = append(r.outputs, o)
	r.mu.Unlock()
	return o
}

// Inputs returns the registered inputs in registration order.
func (r *Registry) Inputs() []*Input {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Input(nil), r.inputs...)
}

// Filters returns the registered filters in registration order.
func (r *Registry) Filters() []*Filter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Filter(nil), r.filters...)
}

// Outputs returns the registered outputs in registration order.
func (r *Registry) Outputs() []*Output {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Output(nil), r.outputs...)
}

// TotalErrors sums the failed flush attempts of every output (for health checks).
func (r *Registry) TotalErrors() uint64 {
	var n uint64
	for _, o := range r.Outputs() {
		n += o.Errors.Load()
	}
	return n
}

// TotalRetriesFailed sums the chunks every output gave up on (for health checks).
func (r *Registry) TotalRetriesFailed() uint64 {
	var n uint64
	for _, o := range r.Outputs() {
		n += o.RetriesFailed.Load()
	}
	return n
}

// TotalAccessDenied sums the AccessDenied flush attempts of every output.
func (r *Registry) TotalAccessDenied() uint64 {
	var n uint64
	for _, o := range r.Outputs() {
		n += o.AccessDenied.Load()
	}
	return n
}

// SortedReasons returns the keys of m in order, for stable rendering.
func SortedReasons(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
