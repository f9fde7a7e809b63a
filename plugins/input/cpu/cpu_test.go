package cpu

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want time.Duration
		pid  int64
	}{
		{nil, time.Second, 0},
		{[]string{"Interval_Sec", "0", "Interval_NSec", "250000000"}, 250 * time.Millisecond, 0},
		{[]string{"Interval_Sec", "0", "Interval_NSec", "0"}, time.Second, 0}, // Fluent Bit's fallback
		{[]string{"Interval_Sec", "5", "PID", "42"}, 5 * time.Second, 42},
		{[]string{"PID", "-1"}, time.Second, -1}, // Fluent Bit's unset value: the whole system
	} {
		in, err := New(plugintest.Settings(t, Spec(), tc.kv...))
		if err != nil {
			t.Fatal(err)
		}
		if in.interval != tc.want || in.pid != tc.pid {
			t.Errorf("%v: interval %v pid %d, want %v %d", tc.kv, in.interval, in.pid, tc.want, tc.pid)
		}
	}
	if _, err := plugintest.TrySettings(Spec(), "PID", "-2"); err == nil {
		t.Error("PID -2 accepted")
	}
}

// usageBetween writes two /proc/stat (or PID stat) contents a known time
// apart and returns the record the input makes of them.
func usageBetween(t *testing.T, pid string, file, before, after string, elapsed time.Duration) string {
	t.Helper()
	dir := t.TempDir()
	kv := []string{}
	if pid != "" {
		kv = []string{"PID", pid}
	}
	in, err := New(plugintest.Settings(t, Spec(), kv...))
	if err != nil {
		t.Fatal(err)
	}
	in.proc = dir
	path := filepath.Join(dir, file)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	var rs [2]reading
	for i, content := range []string{before, after} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if rs[i], err = in.read(t0.Add(time.Duration(i) * elapsed)); err != nil {
			t.Fatal(err)
		}
	}
	var b record.Builder
	in.appendRecord(&b, rs[0], rs[1])
	return plugintest.Render(t, b.Bytes())[0]
}

func TestUsage(t *testing.T) {
	// Over 2 s on 2 cores (400 ticks of capacity): core 0 spends 100 user
	// + 20 nice + 40 system ticks, core 1 40 user; 200 of 400 in all.
	got := usageBetween(t, "", "stat",
		"cpu 1000 0 500 8500 0\ncpu0 600 0 200 4200 0\ncpu1 400 0 300 4300 0\n",
		"cpu 1140 20 540 8700 0\ncpu0 700 20 240 4240 0\ncpu1 440 0 300 4460 0\n", 2*time.Second)
	want := `1700000002 {"cpu_p":50.0,"user_p":40.0,"system_p":10.0,` +
		`"cpu0.p_cpu":80.0,"cpu0.p_user":60.0,"cpu0.p_system":20.0,` +
		`"cpu1.p_cpu":20.0,"cpu1.p_user":20.0,"cpu1.p_system":0.0}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// A process using 1.5 cores' worth over 1 s: 120 user + 30 system ticks.
	got = usageBetween(t, "4242", "4242/stat",
		"4242 (w) S 1 1 1 0 -1 0 0 0 0 0 100 50 0 0 20 0 1 0 1 1 10 0\n",
		"4242 (w) S 1 1 1 0 -1 0 0 0 0 0 220 80 0 0 20 0 1 0 1 1 10 0\n", time.Second)
	if want := `1700000001 {"cpu_p":150.0,"user_p":120.0,"system_p":30.0}`; got != want {
		t.Errorf("PID: got %s, want %s", got, want)
	}
}

func TestRunEmitsFromTheProcTree(t *testing.T) {
	in, err := New(plugintest.Settings(t, Spec(), "Interval_Sec", "0", "Interval_NSec", "20000000"))
	if err != nil {
		t.Fatal(err)
	}
	in.proc, in.tag = "testdata/proc", "cpu.local"
	ctx, cancel := context.WithCancel(context.Background())
	var c plugintest.Collector
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, &c) }()
	recs := c.WaitFor(t, 2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The fake tree does not change: every percentage is 0.
	if want := `{"cpu_p":0.0,"user_p":0.0,"system_p":0.0,"cpu0.p_cpu":0.0,"cpu0.p_user":0.0,"cpu0.p_system":0.0,"cpu1.p_cpu":0.0,"cpu1.p_user":0.0,"cpu1.p_system":0.0}`; recs[0] != want {
		t.Errorf("record %s, want %s", recs[0], want)
	}
	if c.Tags()[0] != "cpu.local" {
		t.Errorf("tag %q", c.Tags()[0])
	}
}

func TestRunFailsWithoutTheProcess(t *testing.T) {
	in, err := New(plugintest.Settings(t, Spec(), "PID", "999"))
	if err != nil {
		t.Fatal(err)
	}
	in.proc = "testdata/proc"
	err = in.Run(context.Background(), &plugintest.Collector{})
	if err == nil || !strings.Contains(err.Error(), "PID 999") {
		t.Errorf("err = %v, want one naming PID 999", err)
	}
}

func BenchmarkCollect(b *testing.B) {
	in, err := New(plugintest.Settings(b, Spec()))
	if err != nil {
		b.Fatal(err)
	}
	prev, err := in.read(time.Now())
	if err != nil {
		b.Skip("no /proc/stat:", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := in.read(time.Now())
		if err != nil {
			b.Fatal(err)
		}
		in.b.Reset()
		in.appendRecord(&in.b, prev, r)
		prev = r
	}
}
