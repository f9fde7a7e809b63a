package nodeexportermetrics

import (
	"strings"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/regex"
)

// Fluent Bit's defaults (plugins/in_node_exporter_metrics/ne.h).
const (
	ignoredMountPoints = `^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`
	ignoredFSTypes     = `^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$`
	ignoredDevices     = `^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`
)

// collectorParams declares collector.NAME.scrape_interval for each of
// Sluice's collectors, as Fluent Bit does for its own.
func collectorParams() []plugin.Param {
	var ps []plugin.Param
	for _, name := range strings.Split(defaultCollectors, ",") {
		ps = append(ps, plugin.Param{Name: "collector." + name + ".scrape_interval", Type: plugin.TypeDuration, Default: "0",
			Doc: "time between two runs of the " + name + " collector; 0: scrape_interval"})
	}
	return ps
}

// checkRegexp checks an ignore pattern as internal/regex compiles every
// regular expression of a configuration (Ruby syntax, as in Fluent Bit).
func checkRegexp(raw string) error {
	_, err := regex.Compile(raw)
	return err
}

// Spec declares the node_exporter_metrics input: its parameters and
// defaults are Fluent Bit's (plugins/in_node_exporter_metrics/ne.c
// config_map), for the collectors Sluice has.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindInput,
		Name:    "node_exporter_metrics",
		Summary: "emit host metrics named as Prometheus node_exporter names them (cpu, memory, load, disks, filesystems, network)",
		Params: append([]plugin.Param{
			{Name: "scrape_interval", Type: plugin.TypeDuration, Default: "5",
				Doc: "time between two scrapes; seconds, or with a unit (500ms, 1m)"},
			{Name: "metrics", Type: plugin.TypeCommaList, Default: defaultCollectors,
				Doc: "the collectors to run; Fluent Bit's collectors Sluice lacks (" + strings.Join(fluentBitOnly, ", ") + ") are skipped with a warning"},
			{Name: "path.procfs", Default: "/proc", Doc: "procfs mount point (e.g. /host/proc in a container)"},
			{Name: "path.sysfs", Default: "/sys", Doc: "sysfs mount point (e.g. /host/sys in a container)"},
			{Name: "path.rootfs", Default: "/", Doc: "where the host's root is mounted (e.g. /host): the filesystem collector measures mount points under it"},
			{Name: "filesystem.ignore_mount_point_regex", Default: ignoredMountPoints, Check: checkRegexp,
				Doc: "mount points the filesystem collector skips"},
			{Name: "filesystem.ignore_filesystem_type_regex", Default: ignoredFSTypes, Check: checkRegexp,
				Doc: "filesystem types the filesystem collector skips"},
			{Name: "diskstats.ignore_device_regex", Default: ignoredDevices, Check: checkRegexp,
				Doc: "block devices the diskstats collector skips (partitions, by default)"},
		}, collectorParams()...),
		Examples: []string{
			`[INPUT]
    Name             node_exporter_metrics
    Tag              node_metrics
    scrape_interval  15
    path.procfs      /host/proc
    path.sysfs       /host/sys

[OUTPUT]
    Name   prometheus_exporter
    Match  node_metrics
    Port   2021`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
