package anomaly

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

type captureEmitter struct {
	mu     sync.Mutex
	alerts []map[string]any
	tags   []string
}

func (c *captureEmitter) Emit(_ context.Context, tag string, events []byte, _ int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	it := record.NewIterator(events)
	for it.Next() {
		js, _, _ := record.AppendJSON(nil, it.Event().Body)
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			return err
		}
		c.alerts = append(c.alerts, m)
		c.tags = append(c.tags, tag)
	}
	return it.Err()
}

func newFilter(t testing.TB, kv ...string) (*Filter, *captureEmitter) {
	t.Helper()
	s := plugintest.Settings(t, Spec(), kv...)
	em := &captureEmitter{}
	s.Emitter = em
	f, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return f, em
}

var t0 = record.FromTime(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))

// traffic emits perSecond[i] records during second i, spread evenly, as
// one batch per second, with body js.
func traffic(t *testing.T, f *Filter, tag string, perSecond []int, body func(i int) string) {
	t.Helper()
	for sec, n := range perSecond {
		var b record.Builder
		for i := range n {
			js, err := record.AppendJSONAsMsgpack(nil, []byte(body(i)))
			if err != nil {
				t.Fatal(err)
			}
			b.Append(t0+record.Time(sec)*1e9+record.Time(i)*record.Time(1e9/max(n, 1)), nil, js)
		}
		if n == 0 {
			continue
		}
		var out record.Builder
		if _, err := f.Filter(tag, b.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
	}
}

func steady(seconds, rate int) []int {
	out := make([]int, seconds)
	for i := range out {
		out[i] = rate
	}
	return out
}

func TestSpikeAlertsOnceAndCarriesTheNumbers(t *testing.T) {
	f, em := newFilter(t, "Interval", "1s", "Warmup", "20")
	plain := func(int) string { return `{"log":"ok"}` }
	rates := append(steady(60, 20), 400) // a 20× burst in second 60
	rates = append(rates, steady(10, 20)...)
	traffic(t, f, "app.web", rates, plain)
	if len(em.alerts) != 1 {
		t.Fatalf("alerts: %v", em.alerts)
	}
	a := em.alerts[0]
	if a["kind"] != "rate_spike" || a["source"] != "app.web" || a["rate"] != float64(400) || em.tags[0] != "security.anomaly" {
		t.Errorf("alert %v on %s", a, em.tags[0])
	}
	if b := a["baseline"].(float64); math.Abs(b-20) > 1 {
		t.Errorf("baseline %v, want about 20", b)
	}
	if a["window_start"] != "2024-05-01T00:01:00Z" {
		t.Errorf("window_start %v", a["window_start"])
	}
}

func TestNoAlertDuringWarmupOrSteadyTraffic(t *testing.T) {
	f, em := newFilter(t, "Interval", "1s", "Warmup", "20")
	r := rand.New(rand.NewPCG(7, 7))
	rates := make([]int, 600)
	for i := range rates {
		rates[i] = poisson(r, 50)
	}
	rates[5] = 500 // inside the warm-up: nothing is judged yet
	traffic(t, f, "app", rates, func(int) string { return `{}` })
	if len(em.alerts) != 0 {
		t.Errorf("alerts on steady traffic: %v", em.alerts)
	}
}

func TestErrorRateSpikeAndSourceKey(t *testing.T) {
	f, em := newFilter(t, "Interval", "1s", "Warmup", "10", "Source_Key", "$k['pod']", "Level_Key", "level")
	calm := steady(40, 30)
	stormy := append(steady(30, 30), steady(10, 30)...)
	traffic(t, f, "app", calm, func(i int) string { return `{"k":{"pod":"api-1"},"level":"info"}` })
	// api-2: the same volume, but in the last 10 s every record is an error.
	for sec, n := range stormy {
		level := "info"
		if sec >= 30 {
			level = "ERROR"
		}
		traffic(t, f, "app", append(make([]int, sec), n), func(int) string { return `{"k":{"pod":"api-2"},"level":"` + level + `"}` })
	}
	traffic(t, f, "app", append(make([]int, 40), 30), func(int) string { return `{"k":{"pod":"api-2"},"level":"info"}` })
	var kinds []string
	for _, a := range em.alerts {
		kinds = append(kinds, a["kind"].(string)+"@"+a["source"].(string))
	}
	if len(kinds) != 1 || kinds[0] != "error_rate_spike@api-2" {
		t.Errorf("alerts %v, want one error_rate_spike for api-2", kinds)
	}
}

func TestDropAlertsOnlyWhenAsked(t *testing.T) {
	rates := append(steady(40, 100), 2, 100)
	for _, on := range []string{"off", "on"} {
		f, em := newFilter(t, "Interval", "1s", "Warmup", "20", "Alert_On_Drop", on)
		traffic(t, f, "app", rates, func(int) string { return `{}` })
		want := 0
		if on == "on" {
			want = 1
		}
		if len(em.alerts) != want || (want == 1 && em.alerts[0]["kind"] != "rate_drop") {
			t.Errorf("Alert_On_Drop %s: alerts %v", on, em.alerts)
		}
	}
}

func TestLevelShiftIsLearned(t *testing.T) {
	f, em := newFilter(t, "Interval", "1s", "Warmup", "10")
	// 10/s, then a lasting move to 100/s: one alert at the onset; after
	// Warmup intervals the new level is learned, so a later 10× spike on
	// top of it alerts again.
	rates := append(steady(30, 10), steady(60, 100)...)
	rates = append(rates, 1000, 100)
	traffic(t, f, "app", rates, func(int) string { return `{}` })
	if n := len(em.alerts); n != 2 || em.alerts[1]["rate"] != float64(1000) {
		t.Errorf("alerts %v, want one at the shift and one for the later spike", em.alerts)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, kv := range [][]string{
		{"Interval", "100ms"},
		{"Interval", "1m", "Baseline_Window", "30s"},
		{"Sensitivity", "0"},
		{"Source_Key", "$a["},
	} {
		s, err := plugintest.TrySettings(Spec(), kv...)
		if err == nil {
			s.Emitter = &captureEmitter{}
			_, err = New(s)
		}
		if err == nil {
			t.Errorf("%v accepted", kv)
		}
	}
}

// poisson draws a Poisson variate of mean lambda: Knuth's method for small
// means, the normal approximation for large ones.
func poisson(r *rand.Rand, lambda float64) int {
	if lambda > 60 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// TestDetectionRates measures the detector with the default parameters on
// synthetic traffic: 50 sources with Poisson rates spread log-uniformly
// from 0.5 to 500 records/s, 10 s intervals over six hours, and 5 spikes
// per source of 3× to 10× the base rate (at least +5 records/s). It reports
// the share of injected spikes detected and of other intervals flagged, and
// fails if detection falls below 95% or false alerts rise above 0.1%.
func TestDetectionRates(t *testing.T) {
	const (
		sources   = 50
		intervals = 6 * 360
		spikes    = 5
		seconds   = 10.0
	)
	d := detector{alpha: 1 - math.Exp(-10.0/1800), sensitivity: 5, minDelta: 1, warmup: 30, interval: seconds}
	r := rand.New(rand.NewPCG(42, 42))
	var injected, detected, judged, falseAlerts int
	for range sources {
		base := 0.5 * math.Pow(1000, r.Float64()) // records/s
		spikeAt := map[int]float64{}
		for len(spikeAt) < spikes {
			at := 60 + r.IntN(intervals-60)
			spikeAt[at] = math.Max(base*(3+7*r.Float64()), base+5)
		}
		var b baseline
		for i := range intervals {
			lambda := base
			spiking := false
			if s, ok := spikeAt[i]; ok {
				lambda, spiking = s, true
			}
			rate := float64(poisson(r, lambda*seconds)) / seconds
			v, _ := d.judge(&b, rate)
			if v == learning {
				continue
			}
			if spiking {
				injected++
				if v == spike {
					detected++
				}
				continue
			}
			judged++
			if v != normal {
				falseAlerts++
			}
		}
	}
	detection := float64(detected) / float64(injected)
	fpRate := float64(falseAlerts) / float64(judged)
	t.Logf("detection %.1f%% (%d of %d spikes); false alerts %.3f%% (%d of %d intervals)",
		100*detection, detected, injected, 100*fpRate, falseAlerts, judged)
	if detection < 0.95 || fpRate > 0.001 {
		t.Errorf("detection %.3f (want >= 0.95), false alert rate %.5f (want <= 0.001)", detection, fpRate)
	}
}

func BenchmarkFilter(b *testing.B) {
	s := plugintest.Settings(b, Spec(), "Source_Key", "pod", "Level_Key", "level")
	s.Emitter = &captureEmitter{}
	f, err := New(s)
	if err != nil {
		b.Fatal(err)
	}
	var batch record.Builder
	body, _ := record.AppendJSONAsMsgpack(nil, []byte(`{"pod":"api-7d9f8b6c5-x2x4z","level":"info","log":"GET /api 200"}`))
	for i := range 256 {
		batch.Append(t0+record.Time(i)*1e7, nil, body)
	}
	b.SetBytes(int64(batch.Size()))
	b.ReportAllocs()
	var out record.Builder
	for b.Loop() {
		f.Filter("app", batch.Bytes(), &out)
	}
}
