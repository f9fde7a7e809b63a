package multiline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	ml "github.com/sluice-logs/sluice/internal/multiline"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// Filter is one multiline instance. It is safe for concurrent use: with
// buffer on, one lock orders the lines of every input feeding it.
type Filter struct {
	id      string
	key     string // multiline.key_content
	parsers []*ml.Parser
	docker  bool // a docker parser is in the list
	cri     bool // a cri parser is in the list
	buffer  bool
	partial bool // mode partial_message
	flush   time.Duration
	emitter plugin.Emitter
	logger  *slog.Logger
	drops   plugin.DropRecorder // counts what the filter loses (Settings.Drops)

	mu      sync.Mutex
	st      *state   // buffered lines (buffer on)
	pt      partials // split messages (mode partial_message)
	drained bool     // Drain ran: later batches are joined within themselves
	stop    chan struct{}
	done    chan struct{}
	batch   record.Builder // a batch's records on their way to the emitter
}

// New builds a filter from its settings and, with buffer on, starts the
// timer that emits groups not continued within flush_ms; Drain or Close
// stops it.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{id: s.ID, emitter: s.Emitter, logger: s.Logger, drops: s.DropsOrLog(), buffer: c.Bool("buffer"),
		flush: time.Duration(c.Int("flush_ms")) * time.Millisecond}
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	f.key = c.String("multiline.key_content")
	if strings.EqualFold(c.String("mode"), "partial_message") {
		if !f.buffer {
			return nil, c.Errorf("mode", "partial_message needs buffer on (messages left unfinished are emitted after flush_ms)")
		}
		if f.key == "" {
			f.key = "log"
		}
		f.partial, f.pt.keyContent = true, f.key
		return f, f.start()
	}
	var names []string
	for _, v := range c.All("multiline.parser") {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return nil, c.Errorf("multiline.parser", "names no parser; give at least one of docker, cri, go, java, python or a [MULTILINE_PARSER] name")
	}
	parsers, err := ml.Resolve(names, s.MultilineParsers)
	if err != nil {
		return nil, c.Errorf("multiline.parser", "%v", err)
	}
	f.parsers = parsers
	for _, p := range parsers {
		f.docker = f.docker || p.Kind() == ml.KindDocker
		f.cri = f.cri || p.Kind() == ml.KindCRI
	}
	if f.key == "" {
		f.key = sectionKeyContent(names, s.MultilineParsers)
	}
	if !f.buffer {
		return f, nil
	}
	f.st = f.newState()
	f.st.j.FlushTimeout = f.flush
	f.st.seen, f.st.lastSweep = map[string]time.Time{}, time.Now()
	return f, f.start()
}

// start starts the flush_ms timer of a buffered filter.
func (f *Filter) start() error {
	if f.emitter == nil {
		return errors.New("multiline " + f.id + ": buffer on needs the engine's emitter (Spec.Emits)")
	}
	f.stop, f.done = make(chan struct{}), make(chan struct{})
	go f.timer(f.stop)
	return nil
}

// sectionKeyContent returns the key_content of the first named
// [MULTILINE_PARSER] section that sets one, or log.
func sectionKeyContent(names []string, sections []config.Section) string {
	for _, n := range names {
		for i := range sections {
			s := &sections[i]
			name, key := "", ""
			for _, p := range s.Params {
				switch strings.ToLower(p.Key) {
				case "name":
					name = strings.TrimSpace(p.Value)
				case "key_content":
					key = strings.TrimSpace(p.Value)
				}
			}
			if key != "" && strings.EqualFold(name, n) {
				return key
			}
		}
	}
	return "log"
}

// held is a record whose line the joiner holds back.
type held struct {
	raw  []byte // the encoded event
	mark int64
}

// state is a joiner and the records behind the lines it holds, per
// joiner key, oldest first: a group's lines are always the oldest of their
// key, so a finished record of n lines takes the first n.
type state struct {
	f    *Filter
	j    *ml.Joiner
	fifo map[string][]held
	seq  int64
	// seen is when each joiner key last had a line (buffer on), so the
	// keys of tags that went away (pods that ended) are forgotten.
	seen      map[string]time.Time
	lastSweep time.Time
	cur       held // the record being fed; raw aliases the caller's batch
	scratch   []byte
	// sink returns the builder a finished record of tag goes to.
	sink    func(tag string) *record.Builder
	changed bool // a record left different from how it came
}

func (f *Filter) newState() *state {
	st := &state{f: f, fifo: map[string][]held{}}
	st.j = ml.NewJoiner(f.parsers, st.finished)
	return st
}

// keys caches a batch's joiner keys: the tag alone, or the tag and a
// container stream.
type keys struct{ tag, stdout, stderr string }

func (k *keys) of(stream []byte) string {
	switch string(stream) {
	case "":
		return k.tag
	case "stdout":
		if k.stdout == "" {
			k.stdout = k.tag + "\x00stdout"
		}
		return k.stdout
	case "stderr":
		if k.stderr == "" {
			k.stderr = k.tag + "\x00stderr"
		}
		return k.stderr
	}
	return k.tag + "\x00" + string(stream)
}

// feed runs one batch's records through the joiner. Records without text
// go to sink(tag) as they are.
func (st *state) feed(tag string, events []byte) error {
	k := keys{tag: tag}
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		v, ok := record.Lookup(ev.Body, st.f.key)
		var text []byte
		if ok {
			text, ok = record.StringValue(v)
		}
		if !ok {
			st.sink(tag).AppendRaw(ev.Raw)
			continue
		}
		key := k.of(st.streamOf(ev.Body, text))
		st.seq++
		st.cur = held{raw: ev.Raw, mark: st.seq}
		st.fifo[key] = append(st.fifo[key], st.cur)
		st.j.Feed(key, text, ev.Time, st.seq)
		// Still held: keep a copy, the batch's bytes do not outlive the call.
		if q := st.fifo[key]; len(q) > 0 && q[len(q)-1].mark == st.seq {
			q[len(q)-1].raw = append([]byte(nil), ev.Raw...)
		}
	}
	st.cur = held{}
	if st.seen != nil {
		now := time.Now()
		for _, key := range []string{k.tag, k.stdout, k.stderr} {
			if _, ok := st.fifo[key]; ok {
				st.seen[key] = now
			}
		}
	}
	return it.Err()
}

// streamOf returns the container stream a line belongs to: the record's
// stream key, or the stream of a docker or cri line, decoded as the
// joiner decodes it; nil for plain text.
func (st *state) streamOf(body, text []byte) []byte {
	if v, ok := record.Lookup(body, "stream"); ok {
		if s, ok := record.StringValue(v); ok {
			return s
		}
	}
	if st.f.docker && len(text) > 0 && text[0] == '{' {
		c, scratch, err := ml.DecodeDocker(text, st.scratch)
		st.scratch = scratch
		if err == nil {
			return c.Stream
		}
	}
	if st.f.cri {
		if c, err := ml.DecodeCRI(text); err == nil {
			return c.Stream
		}
	}
	return nil
}

// tagOf is the tag of a joiner key, tag or tag\x00stream.
func tagOf(key string) string {
	if i := strings.IndexByte(key, 0); i >= 0 {
		return key[:i]
	}
	return key
}

// finished is the joiner's callback: it writes the record of a finished
// message, built from its first line's record, and forgets the records of
// its lines.
func (st *state) finished(r *ml.Record) {
	q := st.fifo[r.Key]
	if len(q) == 0 || q[0].mark != r.Mark {
		// Cannot happen: a group's lines are the oldest of their key.
		st.f.drops.Drop(tagOf(r.Key), plugin.ReasonPluginError, 1,
			fmt.Errorf("multiline %s: lost track of the first line of a joined record of %d lines (a bug: please report it)", st.f.id, r.Lines))
		return
	}
	first := q[0]
	n := min(max(r.Lines, 1), len(q))
	rest := copy(q, q[n:])
	clear(q[rest:])
	st.fifo[r.Key] = q[:rest]

	tag := tagOf(r.Key)
	out := st.sink(tag)
	if r.Lines <= 1 && r.Format == 0 {
		out.AppendRaw(first.raw) // not part of a group: unchanged
		return
	}
	st.changed = true
	ev, _, err := record.DecodeEvent(first.raw)
	if err != nil { // it decoded when it was fed
		st.f.drops.Drop(tag, plugin.ReasonPluginError, 1, fmt.Errorf("multiline %s: a held record no longer decodes: %w", st.f.id, err))
		return
	}
	writeJoined(out, ev, st.f.key, r)
}

// writeJoined writes ev with key replaced by the joined text, at the
// message's time; a decoded container line without a stream key gets one.
func writeJoined(out *record.Builder, ev record.Event, key string, r *ml.Record) {
	n, hasStream := 0, false
	_ = record.MapEntries(ev.Body, func(k, _ []byte) bool {
		n++
		hasStream = hasStream || string(k) == "stream"
		return true
	})
	addStream := r.Format != 0 && r.Stream != "" && !hasStream
	if addStream {
		n++
	}
	out.BeginEvent(r.Time, ev.Meta)
	out.AppendMapHeader(n)
	_ = record.MapEntries(ev.Body, func(k, v []byte) bool {
		out.AppendStringBytes(k)
		if string(k) == key {
			out.AppendStringBytes(r.Log)
		} else {
			out.AppendRawValue(v)
		}
		return true
	})
	if addStream {
		out.AppendString("stream")
		out.AppendString(r.Stream)
	}
}

// Filter implements plugin.Filter.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.partial {
		changed, err := f.filterPartial(tag, events, out)
		if !changed {
			return plugin.FilterUnchanged, err
		}
		return plugin.FilterModified, err
	}
	if !f.buffer || f.drained {
		return f.filterBatch(tag, events, out)
	}
	b := &f.batch
	b.Reset()
	f.st.sink = func(string) *record.Builder { return b }
	err := f.st.feed(tag, events)
	if b.Records() == 0 {
		return plugin.FilterModified, err // every line is held
	}
	if eerr := f.emitter.Emit(context.Background(), tag, b.Bytes(), b.Records()); eerr != nil {
		// The records continue in the batch instead: late, not lost.
		f.logger.Warn("emitter refused joined records; they continue with the batch", "tag", tag, "error", eerr)
		appendEvents(out, b.Bytes())
	}
	return plugin.FilterModified, err
}

// filterBatch joins the lines of one batch (buffer off): what is still
// held at its end leaves as it stands.
func (f *Filter) filterBatch(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	st := f.newState()
	st.sink = func(string) *record.Builder { return out }
	if err := st.feed(tag, events); err != nil {
		return plugin.FilterUnchanged, err
	}
	st.j.Flush()
	if !st.changed {
		return plugin.FilterUnchanged, nil
	}
	return plugin.FilterModified, nil
}

// appendEvents appends concatenated encoded events to out one by one.
func appendEvents(out *record.Builder, events []byte) {
	it := record.NewIterator(events)
	for it.Next() {
		out.AppendRaw(it.Event().Raw)
	}
}

// timer emits the groups not continued within flush_ms until stopped.
func (f *Filter) timer(stop <-chan struct{}) {
	defer close(f.done)
	period := max(f.flush/2, time.Millisecond)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			f.mu.Lock()
			if !f.drained {
				f.emitHeld(context.Background(), false)
				if !f.partial {
					f.st.sweep(time.Now(), max(idleKey, 10*f.flush))
				}
			}
			f.mu.Unlock()
		}
	}
}

// idleKey is how long a joiner key with nothing held may go without a
// line before it is forgotten (at least ten flush_ms).
const idleKey = time.Minute

// sweep forgets the joiner keys that hold nothing and had no line for
// idle, at most once per idle/2, so the filter does not grow with every
// tag it has seen.
func (st *state) sweep(now time.Time, idle time.Duration) {
	if now.Sub(st.lastSweep) < idle/2 {
		return
	}
	st.lastSweep = now
	for key, at := range st.seen {
		if len(st.fifo[key]) == 0 && now.Sub(at) >= idle {
			st.j.Forget(key)
			delete(st.fifo, key)
			delete(st.seen, key)
		}
	}
}

// emitHeld emits what the filter holds, per tag in the order the tags
// first appear: the groups expired after flush_ms, or all of them. f.mu
// is held.
func (f *Filter) emitHeld(ctx context.Context, all bool) error {
	var tags []string
	builders := map[string]*record.Builder{}
	sink := func(tag string) *record.Builder {
		b := builders[tag]
		if b == nil {
			b = new(record.Builder)
			builders[tag] = b
			tags = append(tags, tag)
		}
		return b
	}
	switch {
	case f.partial && all:
		f.pt.flush(0, sink)
	case f.partial:
		f.pt.flush(f.flush, sink)
	case all:
		f.st.sink = sink
		f.st.j.Flush()
	default:
		f.st.sink = sink
		f.st.j.FlushExpired()
	}
	var errs []error
	for _, tag := range tags {
		b := builders[tag]
		if err := f.emitter.Emit(ctx, tag, b.Bytes(), b.Records()); err != nil {
			f.drops.Drop(tag, plugin.ReasonShutdown, b.Records(), fmt.Errorf("multiline %s: the emitter refused the joined records: %w", f.id, err))
			errs = append(errs, fmt.Errorf("multiline %s: emit %d records under %q: %w", f.id, b.Records(), tag, err))
		}
	}
	return errors.Join(errs...)
}

// Drain implements plugin.Drainer: it stops the timer and emits every
// group still held. Later batches are joined within themselves.
func (f *Filter) Drain(ctx context.Context) error {
	if !f.buffer {
		return nil
	}
	f.stopTimer()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.drained {
		return nil
	}
	f.drained = true
	return f.emitHeld(ctx, true)
}

func (f *Filter) stopTimer() {
	f.mu.Lock()
	stop := f.stop
	f.stop = nil
	f.mu.Unlock()
	if stop != nil {
		close(stop)
		<-f.done
	}
}

// Close implements plugin.Closer: it drains the filter if the engine did
// not (outputs may have stopped by then, so Drain is where it belongs).
func (f *Filter) Close(ctx context.Context) error {
	return f.Drain(ctx)
}
