package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// instance is what every plugin instance shares: its identity, validated
// configuration and logger.
type instance struct {
	id          string // "<plugin>.<n>" or the Alias
	plugin      string
	dynamicTags bool // see plugin.Spec.DynamicTags
	section     *config.Section
	config      *plugin.Config
	logger      *slog.Logger
	drops       *dropRecorder // counts and logs what the instance gives up on
}

// label names the instance in messages: `[OUTPUT] file (file.0)` with the
// section's position.
func label(kind config.Kind, name, id string) string {
	return fmt.Sprintf("[%s] %s (%s)", strings.ToUpper(string(kind)), name, id)
}

// builder turns configuration sections into plugin instances, collecting
// every error rather than stopping at the first.
type builder struct {
	registry  *plugin.Registry
	logs      *logging.Factory
	service   *Service
	parsers   *parser.Registry
	metrics   *metrics.Registry // the pipeline's counters, for Settings
	counts    map[string]int    // per kind+plugin instance counter
	mlParsers []config.Section  // [MULTILINE_PARSER] sections, for Settings
	ids       map[string]config.Position
	errs      []error
	// locked are the filters that emit while holding their lock
	// (plugin.Spec.EmitsWhileLocked), for checkLockedEmitters.
	locked []lockedEmitter
}

func (b *builder) fail(err error) { b.errs = append(b.errs, err) }

// instance resolves a section's plugin, decodes its parameters and names it.
func (b *builder) instance(kind plugin.Kind, sect *config.Section) (*instance, *plugin.Spec) {
	ck := config.Kind(kind.String())
	name := sect.Name()
	if name == "" {
		b.fail(&config.Error{Pos: sect.Pos, Section: "[" + strings.ToUpper(string(ck)) + "]",
			Msg: "missing Name", Hint: "valid " + kind.String() + " plugins are " + strings.Join(b.registry.Names(kind), ", ")})
		return nil, nil
	}
	spec, ok := b.registry.Lookup(kind, name)
	if !ok {
		p, _ := sect.Lookup("name")
		hint := "valid " + kind.String() + " plugins are " + strings.Join(b.registry.Names(kind), ", ")
		if s := config.Suggest(name, b.registry.Names(kind)); s != "" {
			hint = fmt.Sprintf("did you mean %q? %s", s, hint)
		}
		b.fail(&config.Error{Pos: p.Pos, Section: "[" + strings.ToUpper(string(ck)) + "]",
			Msg: fmt.Sprintf("unknown %s plugin %q", kind, name), Hint: hint})
		return nil, nil
	}
	key := kind.String() + "/" + name
	id := fmt.Sprintf("%s.%d", name, b.counts[key])
	b.counts[key]++
	if alias, ok := sect.Get("alias"); ok && strings.TrimSpace(alias) != "" {
		id = strings.TrimSpace(alias)
	}
	lbl := label(ck, name, id)
	// Names are unique per kind, as in Fluent Bit: a forward input and a
	// forward output are both forward.0.
	if prev, dup := b.ids[kind.String()+"/"+id]; dup {
		b.fail(&config.Error{Pos: sect.Pos, Section: lbl, Msg: fmt.Sprintf("instance name %q is already used at %s", id, prev),
			Hint: "give each instance a unique Alias"})
	}
	b.ids[kind.String()+"/"+id] = sect.Pos
	cfg, err := plugin.Decode(spec, sect, lbl)
	if err != nil {
		b.fail(err)
		return nil, nil
	}
	level := b.service.LogLevel
	if cfg.IsSet("Log_Level") {
		level, _ = logging.ParseLevel(cfg.String("Log_Level"))
	}
	logger := b.logs.New(level, "component", kind.String(), "name", id)
	return &instance{
		id: id, plugin: name, section: sect, config: cfg, dynamicTags: spec.DynamicTags,
		logger: logger, drops: newDropRecorder(logger),
	}, spec
}

func (b *builder) settings(inst *instance, tag string) plugin.Settings {
	return plugin.Settings{ID: inst.id, Tag: tag, Config: inst.config, Logger: inst.logger, Flush: b.service.Flush,
		Parsers: b.parsers, MultilineParsers: b.mlParsers, Metrics: b.metrics, Drops: inst.drops}
}

func (b *builder) input(sect *config.Section, reg *metrics.Registry) *inputRunner {
	inst, spec := b.instance(plugin.KindInput, sect)
	if inst == nil {
		return nil
	}
	tag := inst.config.String("Tag")
	if tag == "" {
		tag = inst.id
	}
	in, err := spec.NewInput(b.settings(inst, tag))
	if err != nil {
		b.fail(fmt.Errorf("%s: %w", inst.config.Label(), err))
		return nil
	}
	limit := inst.config.Size("Mem_Buf_Limit")
	m := reg.NewInput(inst.id, inst.plugin, limit)
	inst.drops.count = m.Dropped.Add
	r := &inputRunner{instance: *inst, tag: tag, input: in, metrics: m,
		filesystem:       inst.config.String("storage.type") == "filesystem",
		pauseOnOverlimit: inst.config.Bool("storage.pause_on_chunks_overlimit")}
	if r.filesystem {
		if b.service.Storage.Path == "" {
			b.fail(inst.config.Errorf("storage.type", "filesystem needs [SERVICE] storage.path, the directory of the buffer; set it, or use storage.type memory"))
			return nil
		}
		r.storeMetrics = storageMetrics(reg, b.service, inst.id)
	}
	r.gate = newMemGate(limit, func() {
		m.Paused.Add(1)
		r.logger.Debug("input paused: Mem_Buf_Limit reached", "limit", limit)
	})
	return r
}

// filter builds a filter instance and, for a filter whose Spec has Emits,
// the hidden input that carries the records it emits.
func (b *builder) filter(sect *config.Section, reg *metrics.Registry) (*filterRunner, *inputRunner) {
	inst, spec := b.instance(plugin.KindFilter, sect)
	if inst == nil {
		return nil, nil
	}
	m, err := NewMatcher(inst.config.String("Match"), inst.config.String("Match_Regex"))
	if err != nil {
		b.fail(inst.config.Errorf("Match_Regex", "%v", err))
		return nil, nil
	}
	if !m.IsSet() {
		inst.logger.Warn("filter has no Match or Match_Regex and will process no records", "section", sect.Pos.String())
	}
	settings := b.settings(inst, "")
	var emitter *inputRunner
	if spec.Emits {
		emitter = b.emitter(inst, reg)
		settings.Emitter = filterEmitter{emitter}
	}
	f, err := spec.NewFilter(settings)
	if err != nil {
		b.fail(fmt.Errorf("%s: %w", inst.config.Label(), err))
		return nil, nil
	}
	if spec.EmitsWhileLocked != nil && spec.EmitsWhileLocked(inst.config) {
		b.locked = append(b.locked, lockedEmitter{inst: inst, match: m})
	}
	fm := reg.NewFilter(inst.id, inst.plugin)
	inst.drops.count = fm.Dropped.Add
	fr := &filterRunner{instance: *inst, filter: f, match: m, metrics: fm}
	if emitter != nil {
		emitter.skip = fr
	}
	return fr, emitter
}

// emitter builds the hidden input of an emitting filter (Fluent Bit's
// in_emitter): named by Emitter_Name, limited by Emitter_Mem_Buf_Limit.
func (b *builder) emitter(filter *instance, reg *metrics.Registry) *inputRunner {
	id := strings.TrimSpace(filter.config.String("Emitter_Name"))
	if id == "" {
		id = "emitter_for_" + filter.id
	}
	if prev, dup := b.ids["input/"+id]; dup {
		b.fail(&config.Error{Pos: filter.section.Pos, Section: filter.config.Label(),
			Msg: fmt.Sprintf("Emitter_Name %q is already used at %s", id, prev), Hint: "give each emitter a unique Emitter_Name"})
	}
	b.ids["input/"+id] = filter.section.Pos
	limit := filter.config.Size("Emitter_Mem_Buf_Limit")
	m := reg.NewInput(id, "emitter", limit)
	r := &inputRunner{
		instance: instance{id: id, plugin: "emitter", dynamicTags: true, section: filter.section, config: filter.config,
			logger: filter.logger.With("emitter", id)},
		tag: id, metrics: m,
	}
	r.gate = newMemGate(limit, func() {
		m.Paused.Add(1)
		r.logger.Debug("emitter paused its filter's input: Emitter_Mem_Buf_Limit reached", "limit", limit)
	})
	return r
}

func (b *builder) output(sect *config.Section, reg *metrics.Registry, soleRoute bool) *outputRunner {
	inst, spec := b.instance(plugin.KindOutput, sect)
	if inst == nil {
		return nil
	}
	match := inst.config.String("Match")
	if soleRoute && match == "" && inst.config.String("Match_Regex") == "" {
		// One input and one output: Fluent Bit routes everything
		// (flb_router_io_set), which is what `-i dummy -o stdout` relies on.
		match = "*"
	}
	m, err := NewMatcher(match, inst.config.String("Match_Regex"))
	if err != nil {
		b.fail(inst.config.Errorf("Match_Regex", "%v", err))
		return nil
	}
	limit, _ := plugin.ParseRetryLimit(inst.config.String("Retry_Limit")) // validated by its Param.Check
	out, err := spec.NewOutput(b.settings(inst, ""))
	if err != nil {
		b.fail(fmt.Errorf("%s: %w", inst.config.Label(), err))
		return nil
	}
	om := reg.NewOutput(inst.id, inst.plugin)
	inst.drops.count = om.Drop
	return &outputRunner{
		instance: *inst, output: out, match: m,
		retryLimit: limit, workers: int(inst.config.Int("Workers")),
		backoff: backoff{base: b.service.RetryBase, cap: b.service.RetryCap},
		metrics: om,
	}
}

// errList flattens joined errors so each line of a report is one problem.
func errList(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, errList(e)...)
		}
		return out
	}
	return []error{err}
}

// joinAll joins errors after flattening them.
func joinAll(errs []error) error {
	var flat []error
	for _, e := range errs {
		flat = append(flat, errList(e)...)
	}
	return errors.Join(flat...)
}
