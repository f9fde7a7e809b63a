package engine

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// startingSink is a sink with a Start hook: it records the calls and runs
// a goroutine until Start's context ends, as plugin.Starter requires.
type startingSink struct {
	sink
	failStart error

	mu           sync.Mutex
	events       []string
	ctx          context.Context
	stopped      chan struct{}
	ctxDoneClose bool // Start's context had ended when Close was called
}

func (s *startingSink) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, "start")
	s.ctx, s.stopped = ctx, make(chan struct{})
	go func() { <-ctx.Done(); close(s.stopped) }()
	return s.failStart
}

func (s *startingSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, "close")
	s.ctxDoneClose = s.ctx != nil && s.ctx.Err() != nil
	if s.stopped != nil {
		<-s.stopped
	}
	return nil
}

// startingFilter is a pass-through filter with a Start hook.
type startingFilter struct {
	dropOdd
	started chan struct{}
}

func (f *startingFilter) Start(context.Context) error { close(f.started); return nil }

func TestStarterIsCalledAtStartAndCancelledBeforeClose(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{{"ok", nil}, {"start fails", errors.New("store_dir is read-only")}} {
		t.Run(tc.name, func(t *testing.T) {
			out := &startingSink{failStart: tc.err}
			filt := &startingFilter{started: make(chan struct{})}
			in := &feed{batches: make(chan []int, 1)}
			reg, err := plugin.NewRegistry(
				plugin.Spec{Kind: plugin.KindInput, Name: "feed", NewInput: func(s plugin.Settings) (plugin.Input, error) { in.tag = s.Tag; return in, nil }},
				plugin.Spec{Kind: plugin.KindOutput, Name: "starting", NewOutput: func(plugin.Settings) (plugin.Output, error) { return out, nil }},
				plugin.Spec{Kind: plugin.KindFilter, Name: "starting_filter", NewFilter: func(plugin.Settings) (plugin.Filter, error) { return filt, nil }},
			)
			if err != nil {
				t.Fatal(err)
			}
			m := &config.Model{Service: fastService()}
			m.Add(section(config.KindInput, "Name", "feed", "Tag", "app"))
			m.Add(section(config.KindFilter, "Name", "starting_filter", "Match", "*"))
			m.Add(section(config.KindOutput, "Name", "starting", "Match", "*"))
			var logs syncWriter
			p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(&logs, "text")})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()
			<-filt.started
			in.batches <- []int{0, 1, 2}
			waitFor(t, "delivery", func() bool { return len(out.numbers()) == 2 })
			out.mu.Lock()
			if len(out.events) != 1 || out.ctx.Err() != nil {
				t.Errorf("while running: events %v, Start's context %v", out.events, out.ctx.Err())
			}
			out.mu.Unlock()
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if strings.Join(out.events, ",") != "start,close" || !out.ctxDoneClose {
				t.Errorf("events %v; Start's context ended before Close: %v", out.events, out.ctxDoneClose)
			}
			logged := strings.Contains(logs.String(), "start failed")
			if logged != (tc.err != nil) {
				t.Errorf("start failure logged %v, want %v:\n%s", logged, tc.err != nil, logs.String())
			}
		})
	}
}

// syncWriter is a log destination safe for the pipeline's goroutines.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(b)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
