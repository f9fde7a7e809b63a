package mem

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func newTestInput(t *testing.T, kv ...string) *Input {
	t.Helper()
	in, err := New(plugintest.Settings(t, Spec(), kv...))
	if err != nil {
		t.Fatal(err)
	}
	in.proc, in.pageSize = "testdata/proc", 4096
	return in
}

func TestRecord(t *testing.T) {
	for _, tc := range []struct {
		name string
		kv   []string
		want string
	}{
		{"system", nil, `1700000000 {"Mem.total":1016044,"Mem.used":841388,"Mem.free":600000,` +
			`"Swap.total":2064380,"Swap.used":139888,"Swap.free":1924492}`},
		// 2048 pages of 4 KiB.
		{"process", []string{"PID", "4242"}, `1700000000 {"Mem.total":1016044,"Mem.used":841388,"Mem.free":600000,` +
			`"Swap.total":2064380,"Swap.used":139888,"Swap.free":1924492,"proc_bytes":8388608,"proc_hr":"8.00M"}`},
		{"process gone", []string{"PID", "999"}, `1700000000 {"Mem.total":1016044,"Mem.used":841388,"Mem.free":600000,` +
			`"Swap.total":2064380,"Swap.used":139888,"Swap.free":1924492}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := newTestInput(t, tc.kv...)
			var b record.Builder
			if !in.appendRecord(&b, time.Unix(1_700_000_000, 0)) {
				t.Fatal("no record")
			}
			if got := plugintest.Render(t, b.Bytes())[0]; got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 b", 1023: "1023 b", 1536: "1.50K", 12 << 20: "12.00M", 3 << 30: "3.00G"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRun(t *testing.T) {
	in := newTestInput(t, "Interval_Sec", "0", "Interval_NSec", "20000000")
	ctx, cancel := context.WithCancel(context.Background())
	var c plugintest.Collector
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, &c) }()
	c.WaitFor(t, 2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	in.proc = t.TempDir() // no meminfo
	if err := in.Run(context.Background(), &c); err == nil || !strings.Contains(err.Error(), "meminfo") {
		t.Errorf("err = %v, want one naming meminfo", err)
	}
}
