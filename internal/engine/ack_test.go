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

// TestEmitWithAck: a memory input's ack comes once every output delivered
// (true) or one gave up (false); a filesystem input's before EmitWithAck
// returns, once the records are stored.
func TestEmitWithAck(t *testing.T) {
	tests := []struct {
		name      string
		storage   bool
		fail      error
		delivered bool
	}{
		{"memory, delivered", false, nil, true},
		{"memory, rejected", false, plugin.Permanent(errors.New("invalid")), false},
		{"filesystem", true, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &sink{}
			if tt.fail != nil {
				out.failWith = func(int, *record.Chunk) error { return tt.fail }
			}
			h := &harness{outputs: map[string]*sink{"o": out, "p": {}}}
			src := &emitterSource{emitters: make(chan plugin.Emitter, 1)}
			m := &config.Model{Service: fastService("storage.path", t.TempDir())}
			in := []string{"Name", "emitter_source", "Tag", "app"}
			if tt.storage {
				in = append(in, "storage.type", "filesystem")
			}
			m.Add(section(config.KindInput, in...))
			m.Add(section(config.KindOutput, "Name", "sink", "id", "o", "Match", "*"))
			m.Add(section(config.KindOutput, "Name", "sink", "id", "p", "Match", "*"))
			reg, err := plugin.NewRegistry(
				plugin.Spec{Kind: plugin.KindInput, Name: "emitter_source",
					NewInput: func(plugin.Settings) (plugin.Input, error) { return src, nil }},
				plugin.Spec{Kind: plugin.KindOutput, Name: "sink", Params: []plugin.Param{{Name: "id", Doc: "test id"}},
					NewOutput: func(s plugin.Settings) (plugin.Output, error) { return h.outputs[s.Config.String("id")], nil }})
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
			defer func() { cancel(); <-done }()
			emitter, ok := (<-src.emitters).(plugin.AckEmitter)
			if !ok {
				t.Fatal("the engine's Emitter is not a plugin.AckEmitter")
			}
			var b record.Builder
			for i := range 3 {
				b.BeginEvent(record.Time(i), nil)
				b.AppendMapHeader(1)
				b.AppendString("n")
				b.AppendInt(int64(i))
			}
			acks := make(chan bool, 2)
			returned := false
			err = emitter.EmitWithAck(ctx, "app", b.Bytes(), b.Records(), func(delivered bool) {
				if tt.storage && returned {
					t.Error("a filesystem input's ack came after EmitWithAck returned")
				}
				if !tt.storage && tt.delivered && len(h.outputs["p"].numbers()) != 3 {
					t.Error("acknowledged as delivered before every output had the records")
				}
				acks <- delivered
			})
			returned = true
			if err != nil {
				t.Fatal(err)
			}
			if got := <-acks; got != tt.delivered {
				t.Fatalf("ack(%v), want ack(%v)", got, tt.delivered)
			}
			waitFor(t, "delivery", func() bool { return len(h.outputs["p"].numbers()) == 3 })
			if len(acks) != 0 {
				t.Fatal("ack called more than once")
			}
		})
	}
}

// emitterSource is a test input that hands the Emitter its Run receives to
// the test.
type emitterSource struct{ emitters chan plugin.Emitter }

func (e *emitterSource) Run(ctx context.Context, emit plugin.Emitter) error {
	e.emitters <- emit
	<-ctx.Done()
	return nil
}
