package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/storage"
)

// Options are what a Pipeline needs besides its configuration.
type Options struct {
	Registry *plugin.Registry
	Logs     *logging.Factory
	Metrics  *metrics.Registry
	// StorageFS is the file layer of filesystem buffering; nil means the
	// operating system's. Tests inject latency and write failures.
	StorageFS storage.FS
}

// Pipeline is a configured, runnable set of inputs, filters and outputs.
//
// A record's path: an input calls Emit (inputRunner) → the filters whose
// Match selects the tag run in order → the records join the tag's open
// chunk → the flush scheduler seals open chunks every Flush interval (or at
// chunkTarget) → dispatch shares the sealed chunk (a flight) with every
// matching output's queue → each output's workers Flush it, retrying with
// backoff what failed → the last output done releases the chunk's bytes
// from the input's Mem_Buf_Limit budget.
type Pipeline struct {
	service *Service
	logger  *slog.Logger
	metrics *metrics.Registry

	inputs  []*inputRunner
	filters []*filterRunner
	outputs []*outputRunner

	// tasks counts output tasks not yet delivered or dropped; shutdown
	// waits on it for up to Grace.
	tasks sync.WaitGroup

	// taps serve `sluice tap` (see tap.go).
	taps taps

	// emitCtx is the inputs' context, set by Run before any input starts:
	// an emitter waiting for room gives up when it ends.
	emitCtx context.Context
	// buffers recycles the open chunks' byte slices (chunkbuf.go).
	buffers chunkBuffers
	// storage is the filesystem buffering and dead-letter store; nil when
	// no input uses storage.type filesystem and storage.keep.rejected is off.
	storage *bufferStorage
}

// New validates a configuration model and builds its plugin instances
// without starting them. Every configuration error is reported, joined.
func New(m *config.Model, opts Options) (*Pipeline, error) {
	svc, err := DecodeService(&m.Service)
	if err != nil {
		return nil, err
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.NewRegistry()
	}
	b := &builder{registry: opts.Registry, logs: opts.Logs, service: svc, metrics: opts.Metrics,
		counts: map[string]int{}, ids: map[string]config.Position{}, mlParsers: m.MultilineParsers}
	p := &Pipeline{service: svc, metrics: opts.Metrics,
		logger: opts.Logs.New(svc.LogLevel, "component", "engine")}
	parsers, warns, err := parser.NewRegistry(m.Parsers)
	if err != nil {
		b.fail(err)
	}
	for _, w := range warns {
		p.logger.Warn(w.Msg, "section", w.Pos.String())
	}
	b.parsers = parsers
	soleRoute := len(m.Inputs) == 1 && len(m.Outputs) == 1
	for i := range m.Inputs {
		if r := b.input(&m.Inputs[i], p.metrics); r != nil {
			r.pipeline = p
			r.open, r.warned = map[string]*openChunk{}, map[string]bool{}
			p.inputs = append(p.inputs, r)
		}
	}
	var emitters []*inputRunner
	for i := range m.Filters {
		f, emitter := b.filter(&m.Filters[i], p.metrics)
		if f != nil {
			p.filters = append(p.filters, f)
		}
		if emitter != nil {
			emitters = append(emitters, emitter)
		}
	}
	b.checkLockedEmitters(p.inputs)
	for i := range m.Outputs {
		if o := b.output(&m.Outputs[i], p.metrics, soleRoute); o != nil {
			o.pipeline = p
			o.timers, o.inflight = map[*task]*time.Timer{}, map[*task]struct{}{}
			o.queue.init()
			p.outputs = append(p.outputs, o)
		}
	}
	p.configureStorage(b)
	if p.storage != nil {
		p.storage.fs = opts.StorageFS
	}
	if len(b.errs) > 0 {
		return nil, joinAll(b.errs)
	}
	if len(p.inputs) == 0 {
		return nil, fmt.Errorf("configuration has no [INPUT] section; add one, e.g. [INPUT] Name dummy")
	}
	if len(p.outputs) == 0 {
		return nil, fmt.Errorf("configuration has no [OUTPUT] section; add one, e.g. [OUTPUT] Name stdout, Match *")
	}
	// Emitters are inputs without a Run: the flush scheduler, shutdown and
	// metrics treat them like any other input.
	for _, r := range emitters {
		r.pipeline = p
		r.open, r.warned = map[string]*openChunk{}, map[string]bool{}
		p.inputs = append(p.inputs, r)
	}
	return p, nil
}

// Service returns the decoded [SERVICE] settings.
func (p *Pipeline) Service() *Service { return p.service }

// Metrics returns the pipeline's counters.
func (p *Pipeline) Metrics() *metrics.Registry { return p.metrics }

// resolve computes the route of a tag, leaving out skip (the filter that
// feeds an emitter, so its records do not pass through it again).
func (p *Pipeline) resolve(tag string, skip *filterRunner) *route {
	rt := &route{}
	for _, f := range p.filters {
		if f != skip && f.match.Match(tag) {
			rt.filters = append(rt.filters, f)
		}
	}
	for _, o := range p.outputs {
		if o.match.Match(tag) {
			rt.outputs = append(rt.outputs, o)
		}
	}
	return rt
}

// dispatch shares a sealed chunk with the outputs of its route.
func (p *Pipeline) dispatch(owner *inputRunner, tag string, oc *openChunk, outputs []*outputRunner) {
	if oc.stored != nil {
		p.dispatchStored(owner, oc, outputs)
		return
	}
	f := &flight{owner: owner, size: int64(len(oc.data)), acks: oc.acks}
	f.chunk.Tag, f.chunk.Data, f.chunk.Records = tag, oc.data, oc.records
	f.refs.Store(int32(len(outputs)))
	p.tasks.Add(len(outputs))
	for _, o := range outputs {
		o.enqueue(&task{flight: f, chunk: f.chunk})
	}
}

// Run starts every plugin and runs until ctx is cancelled (SIGTERM,
// SIGINT), an input fails, or an input returns plugin.ErrExit, then shuts
// down: inputs stop, open chunks are sealed, and the
// outputs get up to Grace to deliver everything buffered, retries included.
// Whatever is still undelivered then is dropped, counted and logged —
// except chunks of filesystem inputs, which stay on disk and are replayed
// at the next start. Run returns an error if the filesystem buffer cannot
// be opened, or if records were lost at shutdown.
func (p *Pipeline) Run(ctx context.Context) error {
	if err := p.openStorage(); err != nil {
		return err
	}
	outCtx, cancelOutputs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelOutputs()
	startCtx, stopStarted := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStarted()
	p.startPlugins(startCtx)
	var workers sync.WaitGroup
	for _, o := range p.outputs {
		for range o.workers {
			workers.Go(func() { o.work(outCtx) })
		}
	}
	inCtx, stopInputs := context.WithCancel(ctx)
	defer stopInputs()
	var inputs sync.WaitGroup
	p.emitCtx = inCtx
	// An input whose Run fails (a port or socket it cannot bind, a source
	// it cannot open) stops the pipeline, as Fluent Bit stops when an input
	// cannot start: a router that silently stopped collecting is worse than
	// one its supervisor (ECS, Kubernetes) restarts and reports.
	// An input that is done and asks for the router to stop (plugin.ErrExit:
	// stdin at end of file, tail's Exit_On_Eof) ends the pipeline the same
	// way, without an error.
	failed := make(chan error, 1)
	exit := make(chan error, 1)
	for _, r := range p.inputs {
		if r.input == nil {
			continue // an emitter: fed by its filter
		}
		inputs.Go(func() {
			err := r.input.Run(inCtx, r)
			switch {
			case err == nil || inCtx.Err() != nil:
			case errors.Is(err, plugin.ErrExit):
				r.logger.Info("input finished; stopping Sluice as Fluent Bit does: delivering what is buffered, then exiting")
				var code plugin.ExitCode
				if !errors.As(err, &code) || code == 0 {
					err = nil
				}
				select {
				case exit <- err:
				default:
				}
			default:
				r.logger.Error("input failed; stopping Sluice: fix this [INPUT] section and start again", "error", err)
				select {
				case failed <- fmt.Errorf("%s failed: %w", r.config.Label(), err):
				default:
				}
			}
		})
	}
	flushDone := make(chan struct{})
	go func() {
		defer close(flushDone)
		var loader sync.WaitGroup
		if p.storage != nil {
			loader.Go(func() { p.loadBacklog(inCtx) })
			loader.Go(func() { p.reportReplay(inCtx) })
		}
		p.flushLoop(inCtx)
		loader.Wait()
	}()
	p.logger.Info("pipeline started", "inputs", len(p.inputs), "filters", len(p.filters),
		"outputs", len(p.outputs), "flush", p.service.Flush)

	var inputErr error
	select {
	case <-ctx.Done():
	case inputErr = <-failed:
		stopInputs()
	case inputErr = <-exit: // nil, or a plugin.ExitCode to exit with
		stopInputs()
	}
	return errors.Join(inputErr, p.shutdown(&inputs, &workers, flushDone, cancelOutputs, stopStarted))
}

// startPlugins calls Start on the outputs, then the filters, that
// implement plugin.Starter. A failure is logged; the plugin sets itself up
// again in Flush or Filter (see plugin.Starter).
func (p *Pipeline) startPlugins(ctx context.Context) {
	startOne := func(inst *instance, v any) {
		if s, ok := v.(plugin.Starter); ok {
			if err := s.Start(ctx); err != nil {
				inst.logger.Error("start failed; retrying at the first flush", "error", err)
			}
		}
	}
	for _, o := range p.outputs {
		startOne(&o.instance, o.output)
	}
	for _, f := range p.filters {
		startOne(&f.instance, f.filter)
	}
}

// flushLoop seals every open chunk each Flush interval until ctx ends.
func (p *Pipeline) flushLoop(ctx context.Context) {
	ticker := time.NewTicker(p.service.Flush)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			for _, r := range p.inputs {
				r.sealAll(false)
			}
			p.syncStorage()
			p.buffers.trim(time.Now())
		}
	}
}

// stuckFlushTimeout is how long shutdown waits, after the grace period and
// the cancellation of every Flush, for workers to return before it gives
// up on outputs stuck in a call that ignores cancellation.
const stuckFlushTimeout = 3 * time.Second

func (p *Pipeline) shutdown(inputs, workers *sync.WaitGroup, flushDone <-chan struct{}, cancelOutputs, stopStarted context.CancelFunc) error {
	deadline := time.Now().Add(p.service.Grace)
	p.logger.Info("shutting down; flushing buffered records", "grace", p.service.Grace)
	<-flushDone
	if !waitTimeout(inputs, time.Until(deadline)) {
		p.logger.Warn("some inputs did not stop within the grace period")
	}
	p.drainFilters(deadline)
	for _, r := range p.inputs {
		r.sealAll(true)
	}
	if p.storage != nil && p.storage.settings.FlushOnShutdown {
		p.drainBacklog(deadline)
	}
	if !waitTimeout(&p.tasks, time.Until(deadline)) {
		p.logger.Error("grace period ended before every record was delivered; abandoning the rest")
	}
	cancelOutputs()
	for _, o := range p.outputs {
		o.stop()
	}
	if !waitTimeout(workers, stuckFlushTimeout) {
		for _, o := range p.outputs {
			o.abandonInflight()
		}
	}
	for _, o := range p.outputs {
		o.abandonQueued()
	}
	p.tasks.Wait()
	stopStarted() // plugin.Starter's context ends before Close
	p.closePlugins()
	p.taps.closeTaps()
	p.closeStorage()

	var lost uint64
	for _, o := range p.outputs {
		lost += o.metrics.DroppedByReason()["shutdown"]
	}
	if lost > 0 {
		return fmt.Errorf("shutdown: %d records were still undelivered when the grace period (%s) ended", lost, p.service.Grace)
	}
	p.logger.Info("shutdown complete")
	return nil
}

// drainFilters lets filters holding records (plugin.Drainer) emit them
// before the last seal, within the grace period.
func (p *Pipeline) drainFilters(deadline time.Time) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	for _, f := range p.filters {
		if d, ok := f.filter.(plugin.Drainer); ok {
			if err := d.Drain(ctx); err != nil {
				f.logger.Error("records held by the filter were lost at shutdown", "error", err)
			}
		}
	}
}

func (p *Pipeline) closePlugins() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	closeOne := func(inst *instance, v any) {
		if c, ok := v.(plugin.Closer); ok {
			if err := c.Close(ctx); err != nil {
				inst.logger.Warn("close failed", "error", err)
			}
		}
	}
	for _, r := range p.inputs {
		closeOne(&r.instance, r.input)
	}
	for _, f := range p.filters {
		closeOne(&f.instance, f.filter)
	}
	for _, o := range p.outputs {
		closeOne(&o.instance, o.output)
	}
}

// waitTimeout waits for wg up to d and reports whether it finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timer := time.NewTimer(max(d, 0))
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		return false
	}
}
