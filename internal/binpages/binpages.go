// Package binpages gives back the pages of Sluice's own executable that
// start-up touched and the running pipeline does not use.
//
// A Go binary's text, read-only data and function tables are mapped from
// the executable file. Start-up touches a large part of them: every linked
// package's initialisation (the AWS SDK builds its service schemas and
// endpoint tables whatever the configuration), configuration parsing and
// plugin construction. Those pages stay in the resident set (RssFile) for
// the life of the process although a pipeline that reads files and ships
// them uses a fraction: at 10,000 lines/s, 2.3 MB of the 14 MB mapped are
// referenced (see BENCHMARKS.md). Release unmaps them; what the pipeline
// still uses comes back on its next access.
package binpages

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// span is one mapping of the executable, [start, end).
type span struct{ start, end uintptr }

// readOnlySpans returns the read-only mappings of exe in a
// /proc/PID/maps listing. Writable mappings (.data, .bss) are left out:
// their pages may hold what the program wrote.
func readOnlySpans(maps io.Reader, exe string) ([]span, error) {
	var out []span
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		// address perms offset dev inode path
		f := strings.Fields(sc.Text())
		if len(f) != 6 || f[5] != exe || len(f[1]) < 2 || f[1][0] != 'r' || f[1][1] != '-' {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		out = append(out, span{uintptr(start), uintptr(end)})
	}
	return out, sc.Err()
}
