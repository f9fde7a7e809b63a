package binpages

import (
	"fmt"
	"os"
	"syscall"
)

// Release advises the kernel (madvise MADV_DONTNEED) that the read-only
// mappings of the running executable are not needed: their pages leave
// the process's resident set, and the next access to one maps it again
// from the page cache (a minor fault; no disk read while the file stays
// cached, and the page cache itself is not dropped). It returns the bytes
// of the mappings advised, not how many of them were resident.
//
// It is safe at any time: read-only private mappings hold nothing the
// process wrote, so nothing is lost, only mapped again when used.
func Release() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("release executable pages: %w", err)
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, fmt.Errorf("release executable pages: %w", err)
	}
	defer f.Close()
	spans, err := readOnlySpans(f, exe)
	if err != nil {
		return 0, fmt.Errorf("release executable pages: read /proc/self/maps: %w", err)
	}
	var n int64
	for _, s := range spans {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, s.start, s.end-s.start, syscall.MADV_DONTNEED); errno != 0 {
			return n, fmt.Errorf("release executable pages: madvise %#x-%#x: %w", s.start, s.end, errno)
		}
		n += int64(s.end - s.start)
	}
	return n, nil
}
