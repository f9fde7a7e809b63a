package anomaly

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

var _ plugin.Filter = (*Filter)(nil)

// maxCatchUp bounds the empty intervals learned when a source comes back
// after a silence; beyond it the silence is skipped. It keeps one record
// after a day's pause from costing thousands of steps.
const maxCatchUp = 1000

// Filter learns per-source rates and emits alerts on its alert tag. The
// records pass unchanged. It is safe for concurrent use.
type Filter struct {
	det         detector
	interval    record.Time
	sourceKey   *accessor.Path
	levelKey    *accessor.Path
	errorLevels []string
	alertTag    string
	maxSources  int
	emitter     plugin.Emitter
	drops       plugin.DropRecorder // alerts the emitter refused

	mu      sync.Mutex
	sources map[string]*series
}

// series is the state of one source: the open interval's counts and the
// baselines of its total and error rates.
type series struct {
	name        string      // the source
	start       record.Time // of the open interval
	count, errs float64
	all, errors baseline
	lastSeen    record.Time
}

// New returns an anomaly filter configured by s.Config (see Spec).
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	interval := c.Duration("Interval")
	if interval < time.Second {
		return nil, c.Errorf("Interval", "%s is too short: rates are compared per interval; use 1s or more", interval)
	}
	window := c.Duration("Baseline_Window")
	if window < interval {
		return nil, c.Errorf("Baseline_Window", "%s is shorter than Interval %s", window, interval)
	}
	if s.Emitter == nil {
		return nil, fmt.Errorf("anomaly needs the engine's emitter; this is a bug in the engine")
	}
	f := &Filter{
		det: detector{
			alpha:       1 - math.Exp(-interval.Seconds()/window.Seconds()),
			sensitivity: c.Float("Sensitivity"),
			minDelta:    c.Float("Min_Delta"),
			warmup:      int(c.Int("Warmup")),
			interval:    interval.Seconds(),
			alertOnDrop: c.Bool("Alert_On_Drop"),
		},
		interval:   record.Time(interval),
		alertTag:   c.String("Alert_Tag"),
		maxSources: int(c.Int("Max_Sources")),
		emitter:    s.Emitter,
		drops:      s.DropsOrLog(),
		sources:    map[string]*series{},
	}
	if f.det.sensitivity <= 0 {
		return nil, c.Errorf("Sensitivity", "must be above 0")
	}
	var err error
	if k := c.String("Source_Key"); k != "" {
		if f.sourceKey, err = accessor.ParseKey(k); err != nil {
			return nil, c.Errorf("Source_Key", "%v", err)
		}
	}
	if k := c.String("Level_Key"); k != "" {
		if f.levelKey, err = accessor.ParseKey(k); err != nil {
			return nil, c.Errorf("Level_Key", "%v", err)
		}
		f.errorLevels = c.List("Error_Levels")
	}
	return f, nil
}

// Filter implements plugin.Filter.
func (f *Filter) Filter(tag string, events []byte, _ *record.Builder) (plugin.FilterResult, error) {
	var alerts record.Builder
	var text []byte
	it := record.NewIterator(events)
	f.mu.Lock()
	for it.Next() {
		ev := it.Event()
		source := append(text[:0], tag...)
		if f.sourceKey != nil {
			v, ok := f.sourceKey.Get(ev.Body)
			if !ok {
				continue // a record without a source is not counted
			}
			if source, ok = accessor.AppendText(text[:0], v); !ok {
				continue
			}
		}
		text = source
		s := f.series(source, ev.Time)
		f.advance(s, tag, ev.Time, &alerts)
		s.count++
		if f.levelKey != nil && f.isError(ev.Body) {
			s.errs++
		}
		s.lastSeen = max(s.lastSeen, ev.Time)
	}
	f.mu.Unlock()
	if alerts.Records() > 0 {
		if err := f.emitter.Emit(context.Background(), f.alertTag, alerts.Bytes(), alerts.Records()); err != nil {
			err = fmt.Errorf("emitting %d anomaly alerts on tag %s: %w", alerts.Records(), f.alertTag, err)
			f.drops.Drop(f.alertTag, plugin.ReasonShutdown, alerts.Records(), err) // the emitter refuses only at shutdown
			return plugin.FilterUnchanged, err
		}
	}
	return plugin.FilterUnchanged, it.Err()
}

// series returns the state of source, creating it (and forgetting the
// least recently seen source when full).
func (f *Filter) series(source []byte, at record.Time) *series {
	if s, ok := f.sources[string(source)]; ok {
		return s
	}
	if len(f.sources) >= f.maxSources {
		var oldest string
		var when record.Time
		for k, s := range f.sources {
			if oldest == "" || s.lastSeen < when {
				oldest, when = k, s.lastSeen
			}
		}
		delete(f.sources, oldest)
	}
	s := &series{name: string(source), start: at - at%f.interval, lastSeen: at}
	f.sources[s.name] = s
	return s
}

// advance closes the intervals that ended before at, judging each.
func (f *Filter) advance(s *series, tag string, at record.Time, alerts *record.Builder) {
	if at < s.start+f.interval {
		return
	}
	steps := 0
	for at >= s.start+f.interval {
		if steps == maxCatchUp {
			s.start = at - at%f.interval
			break
		}
		f.close(s, tag, alerts)
		s.start += f.interval
		steps++
	}
}

// close judges the open interval of s and resets its counts.
func (f *Filter) close(s *series, tag string, alerts *record.Builder) {
	rate := s.count / f.det.interval
	base := s.all.mean
	if v, z := f.det.judge(&s.all, rate); isOnset(v, &s.all) {
		appendAlert(alerts, s.start, kindName(v, false), s.name, tag, rate, base, z, f.det.interval)
	}
	if f.levelKey != nil {
		errRate := s.errs / f.det.interval
		base := s.errors.mean
		if v, z := f.det.judge(&s.errors, errRate); isOnset(v, &s.errors) {
			appendAlert(alerts, s.start, kindName(v, true), s.name, tag, errRate, base, z, f.det.interval)
		}
	}
	s.count, s.errs = 0, 0
}

// isOnset reports the first anomalous interval of a run: a sustained
// anomaly alerts once, and again only after the rate came back to its band.
func isOnset(v verdict, b *baseline) bool {
	return (v == spike || v == drop) && b.anomalous == 1
}

func kindName(v verdict, errors bool) string {
	name := "rate_spike"
	if v == drop {
		name = "rate_drop"
	}
	if errors {
		return "error_" + name
	}
	return name
}

func (f *Filter) isError(body []byte) bool {
	v, ok := f.levelKey.Get(body)
	if !ok {
		return false
	}
	s, ok := record.StringValue(v)
	if !ok {
		return false
	}
	for _, lvl := range f.errorLevels {
		if strings.EqualFold(string(s), lvl) {
			return true
		}
	}
	return false
}

// appendAlert appends an anomaly alert record stamped with the start of
// the interval it judges.
func appendAlert(b *record.Builder, at record.Time, kind, source, tag string, rate, baseline, z, interval float64) {
	b.BeginEvent(at, nil)
	b.AppendMapHeader(9)
	b.AppendString("alert")
	b.AppendString("anomaly")
	b.AppendString("kind")
	b.AppendString(kind)
	b.AppendString("source")
	b.AppendString(source)
	b.AppendString("source_tag")
	b.AppendString(tag)
	b.AppendString("rate")
	b.AppendRawValue(appendFloat(nil, rate))
	b.AppendString("baseline")
	b.AppendRawValue(appendFloat(nil, baseline))
	b.AppendString("z")
	b.AppendRawValue(appendFloat(nil, math.Round(z*100)/100))
	b.AppendString("interval_s")
	b.AppendRawValue(appendFloat(nil, interval))
	b.AppendString("window_start")
	b.AppendString(at.Std().Format(time.RFC3339))
}

// appendFloat encodes f, rounded to three decimals, as a msgpack float.
func appendFloat(dst []byte, f float64) []byte {
	return msgp.AppendFloat64(dst, math.Round(f*1000)/1000)
}
