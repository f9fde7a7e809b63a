package plugin

import "context"

// AckEmitter is implemented by the engine's Emitter, for inputs whose
// upstream waits for an acknowledgement before it forgets records (a
// forward client's chunk ack, a tail offset). Check for it with a type
// assertion on the Emitter passed to Run.
type AckEmitter interface {
	Emitter
	// EmitWithAck is Emit, and ack is called exactly once when Sluice is
	// done with the records, with delivered telling how:
	//   - storage.type filesystem: before EmitWithAck returns, once the
	//     records are written to the filesystem buffer (and fsynced with
	//     storage.sync full), with delivered true — from then on they
	//     survive a restart and are delivered at least once;
	//   - storage.type memory: once every output they were routed to has
	//     delivered them (true), or when one gave up on them (false: a
	//     permanent error, Retry_Limit, or shutdown);
	//   - records no output matches, or that filters remove, are done at
	//     once (true).
	// When EmitWithAck returns an error, ack is not called and the
	// records were not accepted. ack runs on an engine goroutine: it must
	// not block (hand the result to the input's own goroutine).
	EmitWithAck(ctx context.Context, tag string, events []byte, records int, ack func(delivered bool)) error
}
