package plugin

import (
	"context"
	"time"
)

// IntervalParams declares the collection interval of Fluent Bit's periodic
// inputs (in_cpu, in_mem, ...): Interval_Sec (default 1) and Interval_NSec
// (default 0), added together. what says what happens each interval, for
// the docs ("records", "runs").
func IntervalParams(what string) []Param {
	return []Param{
		{Name: "Interval_Sec", Type: TypeInt, Default: "1", Min: 0, Max: 1 << 31, Doc: "seconds between two " + what},
		{Name: "Interval_NSec", Type: TypeInt, Default: "0", Min: 0, Max: 999999999, Doc: "nanoseconds added to Interval_Sec"},
	}
}

// Interval returns Interval_Sec plus Interval_NSec (see IntervalParams),
// or def when both are 0, as Fluent Bit falls back to its default.
func (c *Config) Interval(def time.Duration) time.Duration {
	d := time.Duration(c.Int("Interval_Sec"))*time.Second + time.Duration(c.Int("Interval_NSec"))
	if d <= 0 {
		return def
	}
	return d
}

// Tick calls fn with the time of each tick, every d, until ctx ends (nil)
// or fn fails (its error). A slow fn delays the next call rather than
// queueing calls (time.Ticker drops ticks).
func Tick(ctx context.Context, d time.Duration, fn func(now time.Time) error) error {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if err := fn(now); err != nil {
				return err
			}
		}
	}
}
