package anomaly

import "math"

// verdict is what a closed interval's rate means against the baseline.
type verdict uint8

const (
	normal verdict = iota
	spike
	drop
	learning // the baseline is still warming up
)

// baseline is the online model of one series' rate (records per second per
// interval): an exponentially weighted moving mean and variance. The
// effective deviation is never below the Poisson noise of the estimate,
// sqrt(mean/interval), so a steady low-volume source with a tiny measured
// variance does not alert on one extra record.
type baseline struct {
	mean, variance float64
	seen           int // intervals learned
	anomalous      int // consecutive anomalous intervals
}

// detector holds the parameters shared by every series.
type detector struct {
	alpha       float64 // EWMA weight of a new interval
	sensitivity float64 // deviations beyond which a rate is anomalous
	minDelta    float64 // records/s a rate must differ by, at least
	warmup      int     // intervals learned before judging
	interval    float64 // seconds
	alertOnDrop bool
}

// judge classifies a closed interval's rate and learns from it. Anomalous
// intervals are not learned, so a spike does not raise its own baseline;
// but once warmup of them come in a row, the level has shifted (a new
// release, a new customer), and learning resumes from the new level.
func (d *detector) judge(b *baseline, rate float64) (verdict, float64) {
	if b.seen < d.warmup {
		d.learn(b, rate)
		return learning, 0
	}
	sd := math.Max(math.Sqrt(b.variance), math.Sqrt(b.mean/d.interval))
	sd = math.Max(sd, 1/d.interval) // a single record is the resolution
	dev := rate - b.mean
	z := dev / sd
	v := normal
	switch {
	case dev > d.minDelta && z > d.sensitivity:
		v = spike
	case d.alertOnDrop && -dev > d.minDelta && -z > d.sensitivity:
		v = drop
	}
	if v == normal {
		b.anomalous = 0
		d.learn(b, rate)
		return v, z
	}
	if b.anomalous++; b.anomalous > d.warmup {
		// A new level: learn it from here, as after a fresh warm-up of
		// one interval (its variance is then learned from what follows).
		b.anomalous = 0
		b.mean, b.variance = rate, 0
	}
	return v, z
}

// learn folds x into the baseline. The first intervals are averaged with
// equal weights (1/n), so the warm-up yields a true mean and variance;
// after that the EWMA weight alpha takes over and old behaviour fades.
func (d *detector) learn(b *baseline, x float64) {
	b.seen++
	a := math.Max(d.alpha, 1/float64(b.seen))
	diff := x - b.mean
	b.mean += a * diff
	b.variance = (1 - a) * (b.variance + a*diff*diff)
}
