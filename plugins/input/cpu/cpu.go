package cpu

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/procfs"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

var _ plugin.Input = (*Input)(nil)

// Input emits CPU usage records every interval.
type Input struct {
	id, tag  string
	logger   *slog.Logger
	interval time.Duration
	pid      int64
	proc     string // the procfs mount; tests point it at a fake tree

	prev    reading
	keys    []string // "cpuN.p_cpu", "cpuN.p_user", "cpuN.p_system" per core
	b       record.Builder
	failing bool // the last reading failed (and was logged)
}

// reading is one sample of the counters, in USER_HZ ticks.
type reading struct {
	at    time.Time
	total procfs.CPUTimes
	cpus  []procfs.CPUTimes
}

// New returns a cpu input configured by s.Config (see Spec). It does no
// I/O.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{id: s.ID, tag: s.Tag, logger: s.Logger, pid: c.Int("PID"), proc: "/proc",
		interval: c.Interval(time.Second)}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	return in, nil
}

// Run reads the baseline, then emits a record every interval until ctx
// ends. It fails only when the very first reading fails (no /proc, no
// such PID), which is a setup error.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	first, err := in.read(time.Now())
	if err != nil {
		return fmt.Errorf("cpu input %s: %w", in.id, err)
	}
	in.prev = first
	err = plugin.Tick(ctx, in.interval, func(now time.Time) error { return in.collect(ctx, emit, now) })
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("cpu input %s: emit records: %w", in.id, err)
	}
	return nil
}

// collect takes a reading and emits the usage since the previous one.
func (in *Input) collect(ctx context.Context, emit plugin.Emitter, now time.Time) error {
	r, err := in.read(now)
	if err != nil {
		if !in.failing {
			in.logger.Error("cannot read CPU counters; no record until they can be read again", "error", err)
		}
		in.failing = true
		return nil
	}
	if in.failing {
		in.logger.Info("CPU counters readable again")
		in.failing = false
	}
	in.b.Reset()
	in.appendRecord(&in.b, in.prev, r)
	in.prev = r
	return emit.Emit(ctx, in.tag, in.b.Bytes(), 1)
}

// read samples /proc/stat, or /proc/PID/stat with PID.
func (in *Input) read(now time.Time) (reading, error) {
	r := reading{at: now}
	if in.pid > 0 {
		st, err := procfs.ReadPIDStat(in.proc, in.pid)
		if err != nil {
			return r, err
		}
		r.total = procfs.CPUTimes{User: st.UTime, System: st.STime}
		return r, nil
	}
	path := filepath.Join(in.proc, "stat")
	data, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("read CPU counters: %w", err)
	}
	st, err := procfs.ParseStat(data)
	if err != nil {
		return r, fmt.Errorf("parse %s: %w", path, err)
	}
	r.total, r.cpus = st.Total, st.CPUs
	return r, nil
}

// appendRecord appends the usage between two readings in Fluent Bit's
// record shape.
func (in *Input) appendRecord(b *record.Builder, prev, now reading) {
	secs := now.at.Sub(prev.at).Seconds()
	if secs <= 0 {
		secs = in.interval.Seconds()
	}
	// percent turns a tick count over the elapsed time into a share of n
	// CPUs' capacity.
	percent := func(pre, cur uint64, n int) float64 {
		if cur <= pre {
			return 0 // unchanged, or counters reset (CPU hot-unplugged)
		}
		return float64(cur-pre) / procfs.UserHZ * 100 / float64(n) / secs
	}
	usage := func(p, c procfs.CPUTimes, n int) (cpu, user, system float64) {
		return percent(p.User+p.Nice+p.System, c.User+c.Nice+c.System, n),
			percent(p.User+p.Nice, c.User+c.Nice, n),
			percent(p.System, c.System, n)
	}
	cores := len(now.cpus)
	if in.pid > 0 || cores == 0 {
		cores = 1 // a process is measured against one core
	}
	var num [9]byte
	float := func(v float64) { b.AppendRawValue(msgp.AppendFloat64(num[:0], v)) }
	perCPU := 0
	if in.pid <= 0 && len(prev.cpus) == len(now.cpus) {
		perCPU = len(now.cpus)
	}
	b.BeginEvent(record.FromTime(now.at), nil)
	b.AppendMapHeader(3 + 3*perCPU)
	c, u, s := usage(prev.total, now.total, cores)
	b.AppendString("cpu_p")
	float(c)
	b.AppendString("user_p")
	float(u)
	b.AppendString("system_p")
	float(s)
	for i := range perCPU {
		for len(in.keys) < 3*(i+1) {
			n := strconv.Itoa(len(in.keys) / 3)
			in.keys = append(in.keys, "cpu"+n+".p_cpu", "cpu"+n+".p_user", "cpu"+n+".p_system")
		}
		c, u, s := usage(prev.cpus[i], now.cpus[i], 1)
		b.AppendString(in.keys[3*i])
		float(c)
		b.AppendString(in.keys[3*i+1])
		float(u)
		b.AppendString(in.keys[3*i+2])
		float(s)
	}
}
