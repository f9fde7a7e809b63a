package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Budgets of the memory package initialisation allocates before main runs
// (GODEBUG=inittrace=1), which stays on the heap for the life of the
// process and raises every GC goal. Sluice's own packages compile their
// regexps and build their tables on first use; what is left is the
// linked libraries', above all the AWS SDK's service schemas and endpoint
// tables (2.2 MB with SDK v1.48 / cloudwatchlogs v1.92). An SDK upgrade
// or a plugin whose init allocates shows here; raise a budget only after
// checking why (BENCHMARKS.md, "Where the memory goes").
const (
	rssInitBudgetTotal   = 2_700_000 // bytes, every package
	rssInitBudgetOwn     = 32 << 10  // bytes, Sluice's packages together
	rssInitBudgetOwnEach = 8 << 10   // bytes, any one Sluice package
)

// rssInit is one package's line of GODEBUG=inittrace=1.
type rssInit struct {
	pkg   string
	bytes int
}

var rssInitLine = regexp.MustCompile(`^init (\S+) @[^,]*, [^,]*, (\d+) bytes, \d+ allocs`)

// rssInitTrace runs the binary with GODEBUG=inittrace=1 and returns what
// each package's initialisation allocated.
func rssInitTrace(t *testing.T, args ...string) []rssInit {
	t.Helper()
	cmd := exec.Command(sluiceBin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sluice %v: %v\n%s", args, err, out)
	}
	var inits []rssInit
	for _, line := range strings.Split(string(out), "\n") {
		if m := rssInitLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			inits = append(inits, rssInit{m[1], n})
		}
	}
	if len(inits) < 50 {
		t.Fatalf("only %d init lines in the output of GODEBUG=inittrace=1:\n%s", len(inits), out)
	}
	slices.SortFunc(inits, func(a, b rssInit) int { return b.bytes - a.bytes })
	return inits
}

// TestRSSInitAllocations keeps package initialisation within its budgets.
func TestRSSInitAllocations(t *testing.T) {
	inits := rssInitTrace(t, "version")
	total, own := 0, 0
	var top []string
	for i, in := range inits {
		total += in.bytes
		if i < 12 {
			top = append(top, fmt.Sprintf("%9d  %s", in.bytes, in.pkg))
		}
		if strings.HasPrefix(in.pkg, "github.com/sluice-logs/sluice/") {
			own += in.bytes
			if in.bytes > rssInitBudgetOwnEach {
				t.Errorf("%s allocates %d bytes at init, over %d: build its regexps and tables on first use (sync.OnceValue)",
					in.pkg, in.bytes, rssInitBudgetOwnEach)
			}
		}
	}
	if own > rssInitBudgetOwn {
		t.Errorf("Sluice's packages allocate %d bytes at init together, over %d", own, rssInitBudgetOwn)
	}
	if total > rssInitBudgetTotal {
		t.Errorf("package initialisation allocates %d bytes, over %d; the largest:\n%s", total, rssInitBudgetTotal, strings.Join(top, "\n"))
	}
	t.Logf("init allocations: %d bytes in all, %d by Sluice's packages", total, own)
}

// rssExecutableShare returns the resident and mapped KiB of the read-only
// mappings of exe in /proc/PID/smaps.
func rssExecutableShare(t *testing.T, pid int, exe string) (rss, size int) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		t.Fatal(err)
	}
	mine := false
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			mine = len(f) == 6 && f[5] == exe && strings.HasPrefix(f[1], "r-")
		case mine && len(f) == 3 && f[0] == "Size:":
			n, _ := strconv.Atoi(f[1])
			size += n
		case mine && len(f) == 3 && f[0] == "Rss:":
			n, _ := strconv.Atoi(f[1])
			rss += n
		}
	}
	return rss, size
}

// TestRSSStartupPagesReleased: once the pipeline has settled, the pages of
// the executable that start-up touched are given back, and the pipeline
// goes on working on what it maps again.
func TestRSSStartupPagesReleased(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.log")
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush      1
    Log_Level  debug

[INPUT]
    Name   dummy
    Rate   20
    Dummy  {"message": "after the release"}

[OUTPUT]
    Name    file
    Match   *
    Path    %s
    File    out.log
    Format  plain
`, dir))
	p := start(t, nil, "-c", cfg)
	const released = "start-up pages of the executable released"
	eventually(t, 15*time.Second, "the second release", func() bool { return strings.Count(p.stderr.String(), released) >= 2 })
	exe, err := filepath.EvalSymlinks(sluiceBin)
	if err != nil {
		t.Fatal(err)
	}
	rss, size := rssExecutableShare(t, p.cmd.Process.Pid, exe)
	// Without the release, start-up leaves about 60% of these mappings
	// resident; after it, a dummy -> file pipeline maps back about 20%.
	if size == 0 || rss*100 > size*40 {
		t.Errorf("read-only mappings of the executable: %d KiB resident of %d KiB after the release, want at most 40%%", rss, size)
	}
	before := rssFileSize(out)
	eventually(t, 10*time.Second, "records written after the release", func() bool { return rssFileSize(out) > before+1000 })
	if data, _ := os.ReadFile(out); !strings.Contains(string(data), "after the release") {
		t.Errorf("output holds no record: %q", data)
	}
	t.Logf("executable's read-only mappings: %d KiB resident of %d KiB", rss, size)
}

func rssFileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
