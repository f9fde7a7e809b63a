package binpages

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestReadOnlySpans(t *testing.T) {
	const exe = "/usr/bin/sluice"
	maps := `00400000-00e04000 r-xp 00000000 fe:00 9980683                            /usr/bin/sluice
00e04000-01804000 r--p 00a04000 fe:00 9980683                            /usr/bin/sluice
01804000-018d0000 rw-p 01404000 fe:00 9980683                            /usr/bin/sluice
018d0000-03924000 rw-p 00000000 00:00 0
7f15e7750000-7f15e7a00000 r--p 00000000 fe:00 1234                       /usr/lib/other.so
7f15e7a00000-7f15e7b00000 r-xp 00000000 fe:00 9980683                    /usr/bin/sluice (deleted)
7f15e7b00000-7f15e7c00000 r-xs 00000000 fe:00 9980683                    /usr/bin/sluice
garbage line
7fff19ca1000-7fff19cc2000 rw-p 00000000 00:00 0                          [stack]
`
	got, err := readOnlySpans(strings.NewReader(maps), exe)
	if err != nil {
		t.Fatal(err)
	}
	want := []span{{0x400000, 0xe04000}, {0xe04000, 0x1804000}, {0x7f15e7b00000, 0x7f15e7c00000}}
	if len(got) != len(want) {
		t.Fatalf("spans %x, want %x", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("span %d: %x, want %x", i, got[i], want[i])
		}
	}
}

// rssFile reads RssFile from /proc/self/status, in KiB.
func rssFile(t *testing.T) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "RssFile:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// TestRelease releases the test binary's pages and checks its file-backed
// resident set shrank and the program still runs: code and read-only data
// come back as they are used.
func TestRelease(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	before := rssFile(t)
	n, err := Release()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFile(t)
	if n == 0 || after >= before {
		t.Fatalf("advised %d bytes; RssFile %d KiB before, %d KiB after", n, before, after)
	}
	// Code, strings and tables used after the release still work.
	var b strings.Builder
	for i := range 1000 {
		b.WriteString(strconv.Itoa(i))
	}
	if b.Len() != 2890 {
		t.Fatalf("after release: %d", b.Len())
	}
	runtime.GC()
	t.Logf("advised %d MiB; RssFile %d KiB before, %d KiB after", n>>20, before, after)
}
