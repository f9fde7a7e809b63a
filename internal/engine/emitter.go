package engine

import "context"

// filterEmitter is the plugin.Emitter an emitting filter gets: its hidden
// input. A filter has no context of its own, so a wait for room ends with
// whichever of the caller's context and the pipeline's input context ends
// first.
type filterEmitter struct{ r *inputRunner }

// Emit implements plugin.Emitter.
func (e filterEmitter) Emit(ctx context.Context, tag string, events []byte, records int) error {
	if pctx := e.r.pipeline.emitCtx; pctx != nil {
		if ctx.Done() == nil {
			ctx = pctx
		} else {
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			defer cancel()
			stop := context.AfterFunc(pctx, cancel)
			defer stop()
		}
	}
	return e.r.Emit(ctx, tag, events, records)
}
