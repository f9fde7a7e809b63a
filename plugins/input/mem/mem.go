package mem

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
)

var _ plugin.Input = (*Input)(nil)

// Input emits memory usage records every interval.
type Input struct {
	id, tag  string
	logger   *slog.Logger
	interval time.Duration
	pid      int64
	proc     string // the procfs mount; tests point it at a fake tree
	pageSize int64
	b        record.Builder
	failing  bool // the last reading failed (and was logged)
}

// New returns a mem input configured by s.Config (see Spec). It does no
// I/O.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{id: s.ID, tag: s.Tag, logger: s.Logger, pid: c.Int("PID"), proc: "/proc",
		pageSize: int64(os.Getpagesize()), interval: c.Interval(time.Second)}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	return in, nil
}

// Run emits a record every interval until ctx ends. It fails only when the
// first reading of /proc/meminfo fails, which is a setup error.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	if _, err := in.meminfo(); err != nil {
		return fmt.Errorf("mem input %s: %w", in.id, err)
	}
	err := plugin.Tick(ctx, in.interval, func(now time.Time) error {
		in.b.Reset()
		if !in.appendRecord(&in.b, now) {
			return nil
		}
		return emit.Emit(ctx, in.tag, in.b.Bytes(), 1)
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("mem input %s: emit records: %w", in.id, err)
	}
	return nil
}

func (in *Input) meminfo() ([]procfs.MeminfoField, error) {
	path := filepath.Join(in.proc, "meminfo")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read memory counters: %w", err)
	}
	f, err := procfs.ParseMeminfo(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	for _, need := range []string{"MemTotal", "MemFree", "SwapTotal", "SwapFree"} {
		if _, ok := procfs.Meminfo(f, need); !ok {
			return nil, fmt.Errorf("%s has no %s line", path, need)
		}
	}
	return f, nil
}

// appendRecord appends a record of the current usage in Fluent Bit's
// shape; it reports false (after logging) when /proc/meminfo cannot be
// read.
func (in *Input) appendRecord(b *record.Builder, now time.Time) bool {
	f, err := in.meminfo()
	if err != nil {
		if !in.failing {
			in.logger.Error("cannot read memory counters; no record until they can be read again", "error", err)
		}
		in.failing = true
		return false
	}
	in.failing = false
	kb := func(name string) uint64 { v, _ := procfs.Meminfo(f, name); return v / 1024 }
	total, free := kb("MemTotal"), kb("MemFree")
	avail := free
	if _, ok := procfs.Meminfo(f, "MemAvailable"); ok {
		avail = kb("MemAvailable")
	}
	swapTotal, swapFree := kb("SwapTotal"), kb("SwapFree")
	rss, haveRSS := in.rss()

	b.BeginEvent(record.FromTime(now), nil)
	n := 6
	if haveRSS {
		n = 8
	}
	b.AppendMapHeader(n)
	for _, kv := range [...]struct {
		k string
		v uint64
	}{{"Mem.total", total}, {"Mem.used", total - min(free, total)}, {"Mem.free", avail},
		{"Swap.total", swapTotal}, {"Swap.used", swapTotal - min(swapFree, swapTotal)}, {"Swap.free", swapFree}} {
		b.AppendString(kv.k)
		b.AppendInt(int64(kv.v))
	}
	if haveRSS {
		b.AppendString("proc_bytes")
		b.AppendInt(rss)
		b.AppendString("proc_hr")
		b.AppendString(humanSize(rss))
	}
	return true
}

// rss reads the resident size of PID, in bytes. Like Fluent Bit, it stops
// measuring a process it cannot read, after saying so.
func (in *Input) rss() (int64, bool) {
	if in.pid <= 0 {
		return 0, false
	}
	st, err := procfs.ReadPIDStat(in.proc, in.pid)
	if err != nil {
		in.logger.Warn("cannot measure the process; records go on without proc_bytes", "pid", in.pid, "error", err)
		in.pid = 0
		return 0, false
	}
	return st.RSSPages * in.pageSize, true
}

// humanSize formats n bytes as Fluent Bit's in_mem does: "512 b", "1.50K",
// "12.00M" (powers of 1024).
func humanSize(n int64) string {
	const units = "bKMGTPE"
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " b"
	}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return strconv.FormatFloat(f, 'f', 2, 64) + units[i:i+1]
}
