package nodeexportermetrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/regex"
	"github.com/tinylib/msgp/msgp"
	"golang.org/x/sys/unix"
)

var _ plugin.Input = (*Input)(nil)

// defaultCollectors is Fluent Bit's default list, less the collectors
// Sluice does not have.
const defaultCollectors = "cpu,meminfo,diskstats,filesystem,uname,stat,time,loadavg,vmstat,netdev"

// collectors maps a collector name to the function that appends its
// samples.
var collectors = map[string]func(*scrape) error{
	"cpu":        collectCPU,
	"meminfo":    collectMeminfo,
	"loadavg":    collectLoadavg,
	"diskstats":  collectDiskstats,
	"filesystem": collectFilesystem,
	"netdev":     collectNetdev,
	"uname":      collectUname,
	"stat":       collectStat,
	"time":       collectTime,
	"vmstat":     collectVmstat,
}

// fluentBitOnly are the collectors of Fluent Bit that Sluice lacks.
var fluentBitOnly = []string{"cpufreq", "sockstat", "filefd", "systemd", "nvme", "thermal_zone", "hwmon", "processes", "netstat", "textfile"}

// Input emits node_exporter's metrics as records every scrape_interval.
type Input struct {
	id, tag  string
	logger   *slog.Logger
	interval time.Duration
	names    []string                 // enabled collectors, in configured order
	every    map[string]time.Duration // each collector's interval
	failing  map[string]bool
	sc       scrape
}

// New returns a node_exporter_metrics input configured by s.Config (see
// Spec). It does no I/O.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{id: s.ID, tag: s.Tag, logger: s.Logger, interval: c.Duration("scrape_interval"),
		failing: map[string]bool{}, every: map[string]time.Duration{}}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	if in.interval <= 0 {
		return nil, c.Errorf("scrape_interval", "must be above 0, e.g. 5 (seconds) or 500ms")
	}
	for _, name := range c.List("metrics") {
		name = strings.ToLower(name)
		switch {
		case collectors[name] != nil:
			if !slices.Contains(in.names, name) {
				in.names = append(in.names, name)
				in.every[name] = in.interval
				if d := c.Duration("collector." + name + ".scrape_interval"); d > 0 {
					in.every[name] = d
				}
			}
		case slices.Contains(fluentBitOnly, name):
			in.logger.Warn("node_exporter_metrics collector not implemented by Sluice; skipped", "collector", name)
		default:
			return nil, c.Errorf("metrics", "no collector named %q; Sluice has %s", name, defaultCollectors)
		}
	}
	sc := &in.sc
	sc.memNames, sc.vmNames = map[string]string{}, map[string]string{}
	sc.mounts = &mountWatch{statfs: unix.Statfs, logger: in.logger, timeout: statfsTimeout}
	sc.procfs, sc.sysfs, sc.rootfs = c.String("path.procfs"), c.String("path.sysfs"), c.String("path.rootfs")
	sc.skipMount = regex.MustCompile(c.String("filesystem.ignore_mount_point_regex")) // checked by the Spec
	sc.skipFSType = regex.MustCompile(c.String("filesystem.ignore_filesystem_type_regex"))
	sc.skipDevice = regex.MustCompile(c.String("diskstats.ignore_device_regex"))
	return in, nil
}

// Run runs every collector at once and then each every its interval
// (scrape_interval, or its collector.NAME.scrape_interval) until ctx ends,
// emitting one batch per wake-up.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	now := time.Now()
	next := make(map[string]time.Time, len(in.names))
	for _, name := range in.names {
		next[name] = now
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	due := make([]string, 0, len(in.names))
	for {
		select {
		case <-ctx.Done():
			return nil
		case now = <-timer.C:
		}
		due = due[:0]
		wake := time.Time{}
		for _, name := range in.names {
			if !next[name].After(now) {
				due = append(due, name)
				// The next run is one interval after the planned one
				// (no drift), or after now when Sluice fell behind.
				if next[name] = next[name].Add(in.every[name]); !next[name].After(now) {
					next[name] = now.Add(in.every[name])
				}
			}
			if wake.IsZero() || next[name].Before(wake) {
				wake = next[name]
			}
		}
		in.scrape(now, due)
		if in.sc.b.Records() > 0 {
			if err := emit.Emit(ctx, in.tag, in.sc.b.Bytes(), in.sc.b.Records()); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("node_exporter_metrics input %s: emit records: %w", in.id, err)
			}
		}
		timer.Reset(time.Until(wake))
	}
}

// Scrape runs every enabled collector into the input's record builder (see
// Records).
func (in *Input) Scrape(now time.Time) { in.scrape(now, in.names) }

// scrape runs the named collectors. A failing collector is logged once
// until it works again; the others' samples are kept.
func (in *Input) scrape(now time.Time, names []string) {
	sc := &in.sc
	sc.b.Reset()
	sc.now, sc.t = now, record.FromTime(now)
	for _, name := range names {
		mark := sc.b.Mark()
		err := collectors[name](sc)
		if err != nil {
			sc.b.Rollback(mark) // all of a collector's samples or none
			if !in.failing[name] {
				in.logger.Error("node_exporter_metrics collector failed; its metrics are missing until it works again",
					"collector", name, "error", err)
			}
		} else if in.failing[name] {
			in.logger.Info("node_exporter_metrics collector works again", "collector", name)
		}
		in.failing[name] = err != nil
	}
}

// Records returns the last scrape's records, valid until the next Scrape.
func (in *Input) Records() ([]byte, int) { return in.sc.b.Bytes(), in.sc.b.Records() }

// scrape holds what collectors share: paths, filters, the record builder
// and buffers reused from scrape to scrape (Run is one goroutine).
type scrape struct {
	procfs, sysfs, rootfs             string
	skipMount, skipFSType, skipDevice *regex.Regexp
	mounts                            *mountWatch

	now  time.Time
	t    record.Time
	b    record.Builder
	file []byte
	// Metric names made from meminfo and vmstat field names, by field name.
	memNames, vmNames map[string]string
	num               [9]byte
}

// read returns the content of a file under path.procfs (or sysfs with
// sys), in a buffer reused by the next read.
func (sc *scrape) read(root string, parts ...string) ([]byte, string, error) {
	path := filepath.Join(append([]string{root}, parts...)...)
	f, err := os.Open(path)
	if err != nil {
		return nil, path, err
	}
	defer f.Close()
	sc.file = sc.file[:0]
	for {
		if len(sc.file) == cap(sc.file) {
			sc.file = append(sc.file, 0)[:len(sc.file)]
		}
		n, err := f.Read(sc.file[len(sc.file):cap(sc.file)])
		sc.file = sc.file[:len(sc.file)+n]
		if err != nil {
			if err == io.EOF {
				return sc.file, path, nil
			}
			return nil, path, err
		}
	}
}

// proc reads a procfs file, wrapping errors with its path.
func (sc *scrape) proc(parts ...string) ([]byte, error) {
	data, path, err := sc.read(sc.procfs, parts...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w (is path.procfs right?)", path, err)
	}
	return data, nil
}

// sample appends one metric record; labels alternates names and values.
func (sc *scrape) sample(name, typ string, v float64, labels ...string) {
	metrics.AppendRecord(&sc.b, sc.t, name, typ, labels, msgp.AppendFloat64(sc.num[:0], v))
}

func (sc *scrape) gauge(name string, v float64, labels ...string) {
	sc.sample(name, "gauge", v, labels...)
}
func (sc *scrape) counter(name string, v float64, labels ...string) {
	sc.sample(name, "counter", v, labels...)
}

// skipsMount reports whether a mount is ignored by
// filesystem.ignore_mount_point_regex or ignore_filesystem_type_regex; a
// pattern that gives up (internal/regex's match deadline) ignores nothing.
func skipsMount(sc *scrape, mountPoint, fsType string) bool {
	if skip, _ := sc.skipMount.MatchString(mountPoint); skip {
		return true
	}
	skip, _ := sc.skipFSType.MatchString(fsType)
	return skip
}
