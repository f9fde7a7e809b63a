package null

import (
	"context"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var _ plugin.Output = Output{}

// Output discards every chunk. It holds no state and is safe for
// concurrent use.
type Output struct{}

// New returns a null output.
func New() Output { return Output{} }

// Flush accepts chunk and drops it; it never fails.
func (Output) Flush(context.Context, *record.Chunk) error { return nil }
