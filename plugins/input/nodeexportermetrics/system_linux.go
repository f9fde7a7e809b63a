package nodeexportermetrics

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sluice-logs/sluice/internal/procfs"
	"golang.org/x/sys/unix"
)

func collectUname(sc *scrape) error {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return fmt.Errorf("uname: %w", err)
	}
	str := unix.ByteSliceToString
	sc.gauge("node_uname_info", 1, "domainname", str(u.Domainname[:]), "machine", str(u.Machine[:]),
		"nodename", str(u.Nodename[:]), "release", str(u.Release[:]), "sysname", str(u.Sysname[:]), "version", str(u.Version[:]))
	return nil
}

// collectFilesystem reports the mounts of PID 1's mount namespace (as
// node_exporter reads them; /proc/mounts when hidepid hides PID 1), less
// the ignored mount points and types, each measured with statfs(2).
func collectFilesystem(sc *scrape) error {
	data, err := sc.proc("1", "mounts")
	if err != nil {
		if data, err = sc.proc("mounts"); err != nil {
			return err
		}
	}
	mounts, err := procfs.ParseMounts(data)
	if err != nil {
		return fmt.Errorf("parse %s/1/mounts: %w", sc.procfs, err)
	}
	seen := map[procfs.Mount]bool{}
	for _, m := range mounts {
		if skipsMount(sc, m.MountPoint, m.FSType) {
			continue
		}
		key := procfs.Mount{Device: m.Device, MountPoint: m.MountPoint, FSType: m.FSType}
		if seen[key] {
			continue // mounted twice (bind mounts): reported once, as node_exporter does
		}
		seen[key] = true
		labels := []string{"device", m.Device, "fstype", m.FSType, "mountpoint", m.MountPoint}
		st, err := sc.mounts.measure(filepath.Join(sc.rootfs, m.MountPoint))
		if err != nil { // logged by measure when it is a hung mount
			sc.gauge("node_filesystem_device_error", 1, labels...)
			continue
		}
		ro := 0.0
		if hasOption(m.Options, "ro") {
			ro = 1
		}
		bs := float64(st.Bsize)
		sc.gauge("node_filesystem_avail_bytes", float64(st.Bavail)*bs, labels...)
		sc.gauge("node_filesystem_device_error", 0, labels...)
		sc.gauge("node_filesystem_files", float64(st.Files), labels...)
		sc.gauge("node_filesystem_files_free", float64(st.Ffree), labels...)
		sc.gauge("node_filesystem_free_bytes", float64(st.Bfree)*bs, labels...)
		sc.gauge("node_filesystem_readonly", ro, labels...)
		sc.gauge("node_filesystem_size_bytes", float64(st.Blocks)*bs, labels...)
	}
	return nil
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}
