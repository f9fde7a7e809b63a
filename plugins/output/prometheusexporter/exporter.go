package prometheusexporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-logs/sluice/internal/metricrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var (
	_ plugin.Output  = (*Output)(nil)
	_ plugin.Starter = (*Output)(nil)
	_ plugin.Closer  = (*Output)(nil)
)

// contentType is the text exposition format 0.0.4.
const contentType = "text/plain; version=0.0.4"

// Output keeps the latest value of each series and serves them at /metrics.
// It is safe for concurrent use.
type Output struct {
	id     string
	addr   string
	extra  []metricrecord.Label
	logger *slog.Logger

	mu       sync.Mutex
	families map[string]*family
	order    []*family // first-seen order, the order of /metrics

	ignored atomic.Uint64 // records that were not metric records

	lmu    sync.Mutex
	server *http.Server
	addrOK net.Addr      // the bound address, once listening
	done   chan struct{} // closed when Serve returned
	closed bool
}

// family is the series of one metric name.
type family struct {
	name   string
	typ    string
	index  map[string]int // rendered labels -> series
	series []series
}

type series struct {
	labels string
	value  []byte
}

// New returns a prometheus_exporter output configured by s.Config (see
// Spec). It does not listen yet: Start (or the first Flush) does.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{id: s.ID, logger: s.Logger, families: map[string]*family{},
		addr: net.JoinHostPort(c.String("host"), strconv.FormatInt(c.Int("port"), 10))}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	extra, err := metricrecord.ExtraLabels(c.AllWords("add_label"))
	if err != nil {
		return nil, c.Errorf("add_label", "%v", err)
	}
	o.extra = extra
	return o, nil
}

// Start binds the listener and serves /metrics until Close. A failure is
// logged by the engine; Flush tries again.
func (o *Output) Start(context.Context) error { return o.listen() }

// Addr is the address the exporter listens on, or nil before it does.
func (o *Output) Addr() net.Addr {
	o.lmu.Lock()
	defer o.lmu.Unlock()
	return o.addrOK
}

func (o *Output) listen() error {
	o.lmu.Lock()
	defer o.lmu.Unlock()
	if o.server != nil || o.closed {
		return nil
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("prometheus_exporter %s: listen on %s: %w; free the port or set another host/port", o.id, o.addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", o.serveMetrics)
	o.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	o.addrOK = ln.Addr()
	o.done = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.logger.Error("prometheus_exporter stopped serving", "address", ln.Addr().String(), "error", err)
		}
	}(o.server, o.done)
	o.logger.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	return nil
}

// Flush records the latest value of each metric record of chunk. Records of
// another shape are skipped and reported dropped (plugin.ReasonUnsupported,
// the first one's problem named); it fails only while the listener cannot
// be bound, so the engine retries.
func (o *Output) Flush(_ context.Context, chunk *record.Chunk) error {
	if err := o.listen(); err != nil {
		return err
	}
	p := newParser(o.extra)
	var s sample
	var skipped []int
	var why string
	it := record.NewIterator(chunk.Data)
	o.mu.Lock()
	defer o.mu.Unlock()
	for it.Next() {
		if !p.parse(it.Event().Body, &s) {
			if skipped == nil {
				why = p.reason
			}
			skipped = append(skipped, it.Index())
			continue
		}
		o.store(&s)
	}
	var drops []plugin.Drop
	if len(skipped) > 0 {
		drops = append(drops, plugin.Drop{Reason: plugin.ReasonUnsupported, Indexes: skipped,
			Err: fmt.Errorf(`output %s: %d records of tag %q are not metric records ({"metric","type","labels","value"}, as fluentbit_metrics emits; first: %s); match only the metrics input's tag`,
				o.id, len(skipped), chunk.Tag, why)})
	}
	if err := it.Err(); err != nil {
		drops = append(drops, plugin.DropRest(plugin.ReasonMalformed, it.Index()+1, chunk.Records,
			fmt.Errorf("output %s: chunk of tag %q: %w", o.id, chunk.Tag, err)))
	}
	if len(drops) == 0 {
		return nil
	}
	for _, d := range drops {
		o.ignored.Add(uint64(len(d.Indexes)))
	}
	return plugin.PartialDropped(nil, nil, drops...)
}

// store sets the value of s's series; o.mu is held.
func (o *Output) store(s *sample) {
	f := o.families[string(s.name)]
	if f == nil {
		f = &family{name: string(s.name), index: map[string]int{}}
		o.families[f.name] = f
		o.order = append(o.order, f)
	}
	switch string(s.typ) { // the latest record's type wins
	case "counter":
		f.typ = "counter"
	case "gauge":
		f.typ = "gauge"
	default:
		f.typ = "untyped"
	}
	if i, ok := f.index[string(s.labels)]; ok {
		f.series[i].value = append(f.series[i].value[:0], s.value...)
		return
	}
	f.index[string(s.labels)] = len(f.series)
	f.series = append(f.series, series{labels: string(s.labels), value: append([]byte(nil), s.value...)})
}

// Ignored is how many records were skipped as not metric records.
func (o *Output) Ignored() uint64 { return o.ignored.Load() }

func (o *Output) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(o.render(make([]byte, 0, 4096)))
}

// render appends every family: its TYPE line, then a line per series.
func (o *Output) render(b []byte) []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, f := range o.order {
		b = append(b, "# TYPE "...)
		b = append(b, f.name...)
		b = append(b, ' ')
		b = append(b, f.typ...)
		b = append(b, '\n')
		for _, s := range f.series {
			b = append(b, f.name...)
			if s.labels != "" {
				b = append(b, '{')
				b = append(b, s.labels...)
				b = append(b, '}')
			}
			b = append(b, ' ')
			b = append(b, s.value...)
			b = append(b, '\n')
		}
	}
	return b
}

// Close stops the listener and waits for its goroutine.
func (o *Output) Close(ctx context.Context) error {
	o.lmu.Lock()
	o.closed = true
	srv, done := o.server, o.done
	o.lmu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	<-done
	return err
}
