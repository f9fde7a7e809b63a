package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/conf"
	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func runInput(t *testing.T, withParsers bool, kv ...string) *plugintest.Collector {
	t.Helper()
	s := plugintest.Settings(t, Spec(), kv...)
	if withParsers {
		m, _, err := config.ParseClassic("parsers.conf", conf.Parsers)
		if err != nil {
			t.Fatal(err)
		}
		if s.Parsers, _, err = parser.NewRegistry(m.Parsers); err != nil {
			t.Fatal(err)
		}
	}
	in, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	col := &plugintest.Collector{}
	if err := in.Run(context.Background(), col); err != nil {
		t.Fatal(err)
	}
	return col
}

func TestOneshotLines(t *testing.T) {
	col := runInput(t, false, "Command", `printf 'one\r\ntwo\nthree'; echo oops >&2; exit 3`, "Oneshot", "on")
	if got := fmt.Sprint(col.Records()); got != `[{"exec":"one"} {"exec":"two"} {"exec":"three"}]` {
		t.Errorf("got %s", got)
	}
}

func TestBufSizeCutsLongLines(t *testing.T) {
	col := runInput(t, false, "Command", `printf '%040d\n' 7`, "Oneshot", "on", "Buf_Size", "16")
	got := col.Records()
	if len(got) != 3 || got[2] != `{"exec":"00000007"}` {
		t.Errorf("got %q", got)
	}
}

func TestParser(t *testing.T) {
	col := runInput(t, true, "Command", `echo '{"a":1}'; echo 'not json'`, "Oneshot", "on", "Parser", "json")
	if got := fmt.Sprint(col.Records()); got != `[{"a":1} {"exec":"not json"}]` {
		t.Errorf("got %s", got)
	}
}

func TestIntervalUntilCancelled(t *testing.T) {
	in, err := New(plugintest.Settings(t, Spec(), "Command", "echo tick", "Interval_Sec", "0", "Interval_NSec", "10000000"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	col := &plugintest.Collector{}
	done := make(chan error)
	go func() { done <- in.Run(ctx, col) }()
	col.WaitFor(t, 3)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{"Command", "x", "Propagate_Exit_Code", "on"}, "needs Exit_After_Oneshot on"},
		{[]string{"Command", "x", "Parser", "nope"}, `no parser named "nope"`},
		{[]string{}, `missing required parameter "Command"`},
	} {
		s, err := plugintest.TrySettings(Spec(), tc.kv...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.kv, err, tc.want)
		}
	}
}

func TestExitAfterOneshot(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kv      []string
		want    error
		records int
	}{
		{"exit 0", []string{"Command", "echo a; echo b", "Exit_After_Oneshot", "on"}, plugin.ErrExit, 2},
		{"code not passed on", []string{"Command", "echo a; exit 3", "Exit_After_Oneshot", "on"}, plugin.ErrExit, 1},
		{"code passed on", []string{"Command", "echo a; exit 3", "Exit_After_Oneshot", "on", "Propagate_Exit_Code", "on"}, plugin.ExitCode(3), 1},
		{"signal", []string{"Command", "echo a; kill -TERM $$", "Exit_After_Oneshot", "on", "Propagate_Exit_Code", "on"}, plugin.ExitCode(128 + 15), 1},
		{"success passed on is a plain exit", []string{"Command", "true", "Exit_After_Oneshot", "on", "Propagate_Exit_Code", "on"}, plugin.ErrExit, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := New(plugintest.Settings(t, Spec(), tc.kv...))
			if err != nil {
				t.Fatal(err)
			}
			var c plugintest.Collector
			err = in.Run(context.Background(), &c)
			if err != tc.want || !errors.Is(err, plugin.ErrExit) {
				t.Fatalf("Run = %v, want %v", err, tc.want)
			}
			if n := len(c.Records()); n != tc.records {
				t.Fatalf("%d records, want %d", n, tc.records)
			}
		})
	}
}
