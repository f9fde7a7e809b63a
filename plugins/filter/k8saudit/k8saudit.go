package k8saudit

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var _ plugin.Filter = (*Filter)(nil)

// Filter evaluates detection rules on Kubernetes audit events and emits an
// alert record for each hit on its alert tag. The events themselves pass
// unchanged. It is safe for concurrent use.
type Filter struct {
	logger   *slog.Logger
	rules    []*rule
	emitter  plugin.Emitter
	drops    plugin.DropRecorder // alerts the emitter refused
	alertTag string
	auditKey *accessor.Path
	stages   []string

	mu   sync.Mutex // guards the rules' thresholds and seen
	seen recentSet
}

// New returns a k8s_audit filter configured by s.Config (see Spec).
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{logger: s.Logger, emitter: s.Emitter, drops: s.DropsOrLog(), alertTag: c.String("Alert_Tag"), stages: c.List("Stages")}
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	if f.emitter == nil {
		return nil, fmt.Errorf("k8s_audit needs the engine's emitter; this is a bug in the engine")
	}
	data, name := defaultRules, "default"
	if path := c.String("Rules_File"); path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, c.Errorf("Rules_File", "%v", err)
		}
		name = path
	}
	rules, err := loadRules(data, name)
	if err != nil {
		return nil, c.Errorf("Rules_File", "%v", err)
	}
	disabled := map[string]bool{}
	for _, id := range c.List("Disable_Rules") {
		disabled[id] = true
	}
	for _, r := range rules {
		if disabled[r.id] {
			delete(disabled, r.id)
			continue
		}
		f.rules = append(f.rules, r)
	}
	for id := range disabled {
		return nil, c.Errorf("Disable_Rules", "no rule has id %q in rules file %s", id, name)
	}
	if key := c.String("Audit_Key"); key != "" {
		if f.auditKey, err = accessor.ParseKey(key); err != nil {
			return nil, c.Errorf("Audit_Key", "%v", err)
		}
	}
	f.seen.init(4096)
	return f, nil
}

// scratch is the per-call state of Filter, pooled.
type scratch struct {
	eval   evalScratch
	alerts record.Builder
	parsed []byte
	text   []byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Filter implements plugin.Filter: the batch always passes unchanged; the
// alerts it raised are emitted under Alert_Tag before it returns.
func (f *Filter) Filter(tag string, events []byte, _ *record.Builder) (plugin.FilterResult, error) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.alerts.Reset()
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		body := ev.Body
		if f.auditKey != nil {
			body = f.embeddedEvent(body, sc)
			if body == nil {
				continue
			}
		}
		audit := isAuditEvent(body)
		if audit && !f.stageSelected(body) {
			continue
		}
		for _, r := range f.rules {
			if (!audit && !r.anySource) || !r.matches(body, &sc.eval) {
				continue
			}
			f.raise(r, tag, ev.Time, body, audit, sc)
		}
	}
	if sc.alerts.Records() > 0 {
		if err := f.emitter.Emit(context.Background(), f.alertTag, sc.alerts.Bytes(), sc.alerts.Records()); err != nil {
			err = fmt.Errorf("emitting %d alerts on tag %s: %w", sc.alerts.Records(), f.alertTag, err)
			f.drops.Drop(f.alertTag, plugin.ReasonShutdown, sc.alerts.Records(), err) // the emitter refuses only at shutdown
			return plugin.FilterUnchanged, err
		}
	}
	return plugin.FilterUnchanged, it.Err()
}

// embeddedEvent returns the audit event under Audit_Key: a map as it is, a
// string parsed as JSON (a tailed audit log line, a CloudWatch message).
func (f *Filter) embeddedEvent(body []byte, sc *scratch) []byte {
	v, ok := f.auditKey.Get(body)
	if !ok {
		return nil
	}
	if len(v) > 0 && (v[0]&0xf0 == 0x80 || v[0] == 0xde || v[0] == 0xdf) {
		return v
	}
	s, ok := record.StringValue(v)
	if !ok {
		return nil
	}
	var err error
	if sc.parsed, err = record.AppendJSONAsMsgpack(sc.parsed[:0], s); err != nil {
		return nil
	}
	return sc.parsed
}

// eventTime is when the API server handled the request (stageTimestamp),
// so that counting windows hold for replayed and delayed logs; records that
// carry none count at their record time.
func eventTime(body []byte, fallback record.Time) record.Time {
	v, ok := stageTimeField.first(body)
	if !ok {
		return fallback
	}
	s, _ := record.StringValue(v)
	t, err := time.Parse(time.RFC3339Nano, string(s))
	if err != nil {
		return fallback
	}
	return record.FromTime(t)
}

var (
	stageTimeField = mustField("stageTimestamp")
	kindField      = mustField("kind")
	apiField       = mustField("apiVersion")
	stageField     = mustField("stage")
	auditIDPath    = mustField("auditID")
)

func mustField(s string) field {
	f, err := parseField(s)
	if err != nil {
		panic(err)
	}
	return f
}

// isAuditEvent recognises an audit.k8s.io Event (v1, or v1beta1 from
// older clusters).
func isAuditEvent(body []byte) bool {
	kind, ok := kindField.first(body)
	if !ok {
		return false
	}
	if s, _ := record.StringValue(kind); string(s) != "Event" {
		return false
	}
	api, _ := apiField.first(body)
	s, _ := record.StringValue(api)
	return strings.HasPrefix(string(s), "audit.k8s.io/")
}

func (f *Filter) stageSelected(body []byte) bool {
	v, ok := stageField.first(body)
	if !ok {
		return true // a backend that omits the stage logs each request once
	}
	s, _ := record.StringValue(v)
	for _, st := range f.stages {
		if strings.EqualFold(st, string(s)) {
			return true
		}
	}
	return false
}

// raise appends the alert of rule r for an event to the scratch batch,
// once per rule and audit ID (a request logged at several stages alerts
// once), and once per threshold crossing for counting rules.
func (f *Filter) raise(r *rule, tag string, at record.Time, body []byte, audit bool, sc *scratch) {
	count := 1
	f.mu.Lock()
	if audit {
		if id, ok := auditIDPath.first(body); ok {
			s, _ := record.StringValue(id)
			if len(s) > 0 && !f.seen.add(r.id+"\x00"+string(s)) {
				f.mu.Unlock()
				return
			}
		}
	}
	if t := r.threshold; t != nil {
		key := ""
		if t.groupBy != nil {
			if v, ok := t.groupBy.first(body); ok {
				sc.text, _ = accessor.AppendText(sc.text[:0], v)
				key = string(sc.text)
			}
		}
		var fired bool
		if fired, count = t.observe(key, eventTime(body, at)); !fired {
			f.mu.Unlock()
			return
		}
	}
	f.mu.Unlock()
	appendAlert(&sc.alerts, r, tag, at, body, count)
	f.logger.Debug("rule fired", "rule", r.id, "severity", r.severity, "tag", tag)
}
