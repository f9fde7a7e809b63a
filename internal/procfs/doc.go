// Package procfs parses the Linux /proc files the host-metrics inputs (cpu,
// mem, node_exporter_metrics) read: /proc/stat, /proc/meminfo,
// /proc/loadavg, /proc/vmstat, /proc/net/dev, /proc/diskstats,
// /proc/mounts and /proc/PID/stat.
//
// The parsers are strict: a line that does not have the documented shape
// (proc(5)) is an error naming its line number and what was expected,
// never a silently wrong number. Fields a kernel may add at the end of a
// line are ignored; fields an older kernel lacks read as zero where proc(5)
// says they are optional. Each parser takes the file's bytes, so tests and
// fuzz targets need no files.
package procfs
