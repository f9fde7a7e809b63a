package dummy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

var _ plugin.Input = (*Input)(nil)

const (
	// minWake is the shortest sleep between two wake-ups. Faster rates
	// produce every record that fell due since the last wake-up in one
	// go, so a Rate of 200000 costs 100 wake-ups a second, not 200000.
	minWake = 10 * time.Millisecond
	// maxCatchUp bounds the records produced after a stall (backpressure,
	// a descheduled process) to those of the last 100 ms: the rest are
	// skipped, as Fluent Bit's paused collector skips them.
	maxCatchUp = 100 * time.Millisecond
	// maxBatchBytes is the most one Emit carries, so that Mem_Buf_Limit
	// is overshot by at most this much.
	maxBatchBytes = 64 << 10
)

// Input generates copies of one record at a fixed rate.
type Input struct {
	tag      string
	logger   *slog.Logger
	body     []byte // msgpack map
	meta     []byte // msgpack map
	interval time.Duration
	copies   int
	samples  int64       // emissions before Run returns; 0: no limit
	start    record.Time // time of emission 0 when startSet
	startSet bool
	fixed    bool
	eager    bool // Flush_on_startup: emission 0 happens at once
}

// New returns a dummy input configured by s.Config (see Spec). Dummy and
// Metadata are converted to msgpack once, here; invalid JSON is a
// configuration error at the parameter.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		tag:     s.Tag,
		logger:  s.Logger,
		copies:  int(c.Int("Copies")),
		samples: c.Int("Samples"),
		fixed:   c.Bool("Fixed_timestamp"),
		eager:   c.Bool("Flush_on_startup"),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	var err error
	if in.body, err = jsonObject(c, "Dummy"); err != nil {
		return nil, err
	}
	if in.meta, err = jsonObject(c, "Metadata"); err != nil {
		return nil, err
	}

	// Fluent Bit (in_dummy.c configure): an interval wins over Rate; a
	// Rate of 1 or less is one emission a second.
	in.interval = time.Second
	if sec, nsec := c.Int("Interval_sec"), c.Int("Interval_nsec"); sec > 0 || nsec > 0 {
		in.interval = time.Duration(sec)*time.Second + time.Duration(nsec)
	} else if rate := c.Int("Rate"); rate > 1 {
		in.interval = time.Second / time.Duration(rate)
	}

	// Either part of the start time switches it on; the other counts as 0.
	if sec, nsec := c.Int("Start_time_sec"), c.Int("Start_time_nsec"); sec >= 0 || nsec >= 0 {
		in.startSet = true
		in.start = record.Time(max(sec, 0)*1e9 + max(nsec, 0))
	}
	return in, nil
}

// jsonObject converts parameter name, which must hold one JSON object, to
// msgpack.
func jsonObject(c *plugin.Config, name string) ([]byte, error) {
	js := c.String(name)
	m, err := record.AppendJSONAsMsgpack(nil, []byte(js))
	if err != nil {
		detail := strings.TrimPrefix(err.Error(), record.ErrMalformed.Error()+": ")
		return nil, c.Errorf(name, "invalid JSON (%s); write one JSON object on one line, e.g. {\"message\": \"dummy\"}", detail)
	}
	if t := msgp.NextType(m); t != msgp.MapType {
		return nil, c.Errorf(name, "is a JSON %s; write one JSON object, e.g. {\"message\": \"dummy\"}", jsonTypeName(t))
	}
	return m, nil
}

func jsonTypeName(t msgp.Type) string {
	switch t {
	case msgp.ArrayType:
		return "array"
	case msgp.StrType:
		return "string"
	case msgp.BoolType:
		return "boolean"
	case msgp.NilType:
		return "null"
	}
	return "number"
}

// Run emits Copies records every interval until ctx ends or Samples
// emissions are done, and returns nil in both cases. It wakes at most every
// 10 ms and produces all the records that fell due since the last wake-up,
// in batches of up to 64 KiB, through one reused Builder. When Emit blocks
// (backpressure), production pauses; afterwards at most the last 100 ms
// worth of records is caught up.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	origin := time.Now() // the schedule: emission k is due at origin + k*interval
	base := in.start
	if !in.startSet {
		base = record.FromTime(origin)
	}
	next := int64(1) // the first emission is one interval in, as in Fluent Bit
	if in.eager {
		next = 0
	}
	maxBehind := max(1, int64(maxCatchUp/in.interval))
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var (
		b        record.Builder
		produced int64
		lastWake = origin.Add(-minWake)
	)
	for {
		wake := origin.Add(time.Duration(next) * in.interval)
		if earliest := lastWake.Add(minWake); wake.Before(earliest) {
			wake = earliest
		}
		if d := time.Until(wake); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return nil
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		now := time.Now()
		lastWake = now
		last := int64(now.Sub(origin) / in.interval) // the latest emission due
		if last < next {
			continue
		}
		if last-next+1 > maxBehind {
			next = last - maxBehind + 1
		}
		n := last - next + 1
		if in.samples > 0 {
			n = min(n, in.samples-produced)
		}
		if err := in.produce(ctx, emit, &b, base, next, n); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("dummy input: emit records: %w", err)
		}
		next += n
		produced += n
		if in.samples > 0 && produced >= in.samples {
			in.logger.Debug("Samples reached; the input stops", "samples", in.samples, "records", produced*int64(in.copies))
			return nil
		}
	}
}

// produce emits the records of emissions first to first+n-1.
func (in *Input) produce(ctx context.Context, emit plugin.Emitter, b *record.Builder, base record.Time, first, n int64) error {
	b.Reset()
	for k := first; k < first+n; k++ {
		t := base
		if !in.fixed {
			t = base + record.Time(k*int64(in.interval))
		}
		for range in.copies {
			b.Append(t, in.meta, in.body)
			if b.Size() >= maxBatchBytes {
				if err := in.send(ctx, emit, b); err != nil {
					return err
				}
			}
		}
	}
	return in.send(ctx, emit, b)
}

// send emits what b holds and resets it.
func (in *Input) send(ctx context.Context, emit plugin.Emitter, b *record.Builder) error {
	if b.Records() == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := emit.Emit(ctx, in.tag, b.Bytes(), b.Records())
	b.Reset()
	return err
}
