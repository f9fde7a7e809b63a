// Package nodeexportermetrics implements the node_exporter_metrics input
// (Fluent Bit's in_node_exporter_metrics): every scrape_interval it reads
// the host's counters from procfs and sysfs and emits them with the metric
// names and labels of Prometheus node_exporter, so dashboards and alerts
// written for node_exporter work on what Sluice exports.
//
// # Records
//
// One metric record per sample, in the shape every Sluice metrics input
// emits (metrics.AppendRecord) and the prometheus_exporter output serves:
//
//	{"metric": "node_cpu_seconds_total", "type": "counter",
//	 "labels": {"cpu": "0", "mode": "user"}, "value": 257.59}
//
// # Collectors
//
//   - cpu: node_cpu_seconds_total{cpu,mode}, node_cpu_guest_seconds_total{cpu,mode} (/proc/stat)
//   - meminfo: node_memory_<Field>_bytes, node_memory_<Field> for unitless fields (/proc/meminfo)
//   - loadavg: node_load1, node_load5, node_load15 (/proc/loadavg)
//   - diskstats: node_disk_reads_completed_total{device} and the other
//     node_disk_* counters the kernel has (/proc/diskstats)
//   - filesystem: node_filesystem_{size,free,avail}_bytes, _files, _files_free,
//     _readonly, _device_error {device,fstype,mountpoint} (/proc/1/mounts, statfs)
//   - netdev: node_network_{receive,transmit}_*_total{device} (/proc/net/dev)
//   - uname: node_uname_info{sysname,release,version,machine,nodename,domainname} (uname(2))
//   - stat: node_boot_time_seconds, node_context_switches_total, node_forks_total,
//     node_intr_total, node_procs_running, node_procs_blocked (/proc/stat)
//   - time: node_time_seconds, node_time_zone_offset_seconds{time_zone},
//     node_time_clocksource_{available,current}_info{clocksource,device} (sysfs)
//   - vmstat: node_vmstat_<field> for oom_kill, pgpg*, pswp*, pg*fault (/proc/vmstat)
//
// A collector that fails (a file missing under path.procfs) is logged —
// once until it works again — and the others' samples are still emitted.
// A mount whose statfs(2) hangs (an unreachable NFS or EFS server) is
// given up on after 5 s, reported with node_filesystem_device_error 1 and
// not measured again until the hung call returns, as node_exporter does.
// In a container, point path.procfs and path.sysfs at the host's (and
// path.rootfs at the host's / for the filesystem collector).
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's: scrape_interval (5 seconds),
// collector.NAME.scrape_interval (0: scrape_interval), metrics,
// path.procfs, path.sysfs, path.rootfs, filesystem.ignore_mount_point_regex,
// filesystem.ignore_filesystem_type_regex, diskstats.ignore_device_regex.
// Fluent Bit's other collectors (cpufreq, sockstat, filefd, systemd, nvme,
// thermal_zone, hwmon, processes, netstat, textfile) are not implemented:
// named in metrics they are skipped with a warning; a name neither has is
// a configuration error (Fluent Bit ignores it silently). Fluent Bit emits a
// cmetrics context on its metrics pipeline; Sluice emits records that
// filters see. As node_exporter does, node_vmstat_* samples are untyped.
package nodeexportermetrics
