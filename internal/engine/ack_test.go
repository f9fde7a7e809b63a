package engine

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// ackFeed emits each batch with EmitAck and reports each outcome on acks.
type ackFeed struct {
	tag     string
	batches chan []int
	acks    chan bool
}

func (f *ackFeed) Run(ctx context.Context, emit plugin.Emitter) error {
	ae, ok := emit.(plugin.AckEmitter)
	if !ok {
		return errors.New("the engine's emitter does not implement plugin.AckEmitter")
	}
	var b record.Builder
	for {
		select {
		case <-ctx.Done():
			return nil
		case nums := <-f.batches:
			b.Reset()
			for _, n := range nums {
				b.BeginEvent(record.Time(int64(n)*1e9), nil)
				b.AppendMapHeader(1)
				b.AppendString("n")
				b.AppendInt(int64(n))
			}
			if err := ae.EmitAck(ctx, f.tag, b.Bytes(), b.Records(), func(delivered bool) { f.acks <- delivered }); err != nil {
				return nil
			}
		}
	}
}

func startAckPipeline(t *testing.T, in *ackFeed, outs map[string]*sink, m *config.Model) (*Pipeline, context.CancelFunc, <-chan error) {
	t.Helper()
	specs := []plugin.Spec{
		{Kind: plugin.KindInput, Name: "ack_feed", NewInput: func(s plugin.Settings) (plugin.Input, error) { in.tag = s.Tag; return in, nil }},
		{Kind: plugin.KindOutput, Name: "sink", Params: []plugin.Param{{Name: "id", Doc: "test id"}},
			NewOutput: func(s plugin.Settings) (plugin.Output, error) { return outs[s.Config.String("id")], nil }},
		{Kind: plugin.KindFilter, Name: "drop_odd", NewFilter: func(plugin.Settings) (plugin.Filter, error) { return dropOdd{}, nil }},
	}
	reg, err := plugin.NewRegistry(specs...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(m, Options{Registry: reg, Logs: logging.NewFactory(io.Discard, "text")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return p, cancel, done
}

// The ack comes after every output finished: not while one is still
// retrying, and with delivered true once both have the records.
func TestEmitAckWaitsForEveryOutput(t *testing.T) {
	slow := &sink{failWith: func(attempt int, _ *record.Chunk) error {
		if attempt < 3 {
			return errors.New("not yet")
		}
		return nil
	}}
	fast := &sink{}
	in := &ackFeed{batches: make(chan []int, 1), acks: make(chan bool, 4)}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "ack_feed"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "slow", "Match", "*"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "fast", "Match", "*"))
	_, cancel, done := startAckPipeline(t, in, map[string]*sink{"slow": slow, "fast": fast}, m)
	defer func() { cancel(); <-done }()
	in.batches <- seq(0, 4)
	if delivered := <-in.acks; !delivered {
		t.Fatal("ack reported undelivered records")
	}
	slow.mu.Lock()
	attempts := slow.flushes
	slow.mu.Unlock()
	if attempts < 3 || len(fast.numbers()) != 4 {
		t.Errorf("acked before both outputs delivered: slow output flushed %d times (succeeds on the 3rd), fast %v", attempts, fast.numbers())
	}
}

// Records filtered out or matched by no output are done at once.
func TestEmitAckOfRecordsThatGoNowhere(t *testing.T) {
	in := &ackFeed{batches: make(chan []int, 2), acks: make(chan bool, 4)}
	m := &config.Model{Service: fastService()}
	m.Add(section(config.KindInput, "Name", "ack_feed", "Tag", "nowhere"))
	m.Add(section(config.KindFilter, "Name", "drop_odd", "Match", "*"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "elsewhere"))
	_, cancel, done := startAckPipeline(t, in, map[string]*sink{"o": {}}, m)
	defer func() { cancel(); <-done }()
	in.batches <- []int{1, 3} // all removed by the filter
	in.batches <- []int{2}    // unrouted
	for range 2 {
		if !<-in.acks {
			t.Error("records that need no delivery must be acked as delivered")
		}
	}
}

// Records dropped at shutdown are acked as undelivered, so their source
// offers them again after the restart.
func TestEmitAckAtShutdownIsUndelivered(t *testing.T) {
	down := &sink{failWith: func(int, *record.Chunk) error { return errors.New("destination down") }}
	in := &ackFeed{batches: make(chan []int, 1), acks: make(chan bool, 1)}
	m := &config.Model{Service: fastService("Grace", "0.3")}
	m.Add(section(config.KindInput, "Name", "ack_feed"))
	m.Add(section(config.KindOutput, "Name", "sink", "id", "o"))
	p, cancel, done := startAckPipeline(t, in, map[string]*sink{"o": down}, m)
	in.batches <- seq(0, 3)
	waitFor(t, "a retry", func() bool { return p.Metrics().Outputs()[0].Retries.Load() > 0 })
	cancel()
	<-done
	if delivered := <-in.acks; delivered {
		t.Error("records dropped at shutdown were acked as delivered")
	}
}
