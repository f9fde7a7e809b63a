package plugin

import (
	"context"
	"errors"
	"fmt"
	"github.com/sluice-logs/sluice/internal/metrics"
	"log/slog"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/record"
)

// Kind is the role of a plugin in the pipeline.
type Kind uint8

// The plugin kinds.
const (
	KindInput Kind = iota + 1
	KindFilter
	KindOutput
)

// String returns the kind as it appears in section headers: input, filter, output.
func (k Kind) String() string {
	switch k {
	case KindInput:
		return "input"
	case KindFilter:
		return "filter"
	case KindOutput:
		return "output"
	}
	return "unknown"
}

// Spec declares a plugin: its name (Fluent Bit's where one exists), a
// one-line summary, its parameters, examples, and the constructor of its kind.
// Exactly one of NewInput, NewFilter and NewOutput is set, matching Kind.
// Constructors validate and allocate; they must not bind sockets, open
// files or start goroutines (`sluice validate` calls them), which is the
// job of Input.Run and of an output's first Flush.
type Spec struct {
	Kind    Kind
	Name    string
	Summary string
	Params  []Param
	// Examples are configuration snippets in the classic format; tests
	// validate every one of them.
	Examples []string
	// DynamicTags marks an input whose records carry tags chosen by its
	// sources (forward clients, a tag_key field), and a filter that
	// re-tags records (rewrite_tag): `sluice validate` cannot check their
	// routes statically and does not warn about them.
	DynamicTags bool
	// Emits marks a filter that sends records under tags of its choosing
	// (rewrite_tag, the alerts of a detection filter). The engine then
	// accepts the Emitter_* parameters for it (see EmitterParams) and
	// hands it Settings.Emitter.
	Emits bool
	// EmitsWhileLocked, set for an emitting filter, reports whether the
	// instance configured by c emits through its Emitter while it holds a
	// lock that every batch it filters takes (multiline with buffer on).
	// Two such filters whose Match rules select the same tags would each
	// re-enter the other while holding its own lock, and hang on the
	// first record, so the engine refuses that configuration.
	EmitsWhileLocked func(c *Config) bool

	NewInput  func(Settings) (Input, error)
	NewFilter func(Settings) (Filter, error)
	NewOutput func(Settings) (Output, error)
}

// Settings is what the engine hands a plugin constructor.
type Settings struct {
	// ID is the instance name, "<plugin>.<n>" (e.g. "dummy.0") or the Alias.
	ID string
	// Tag is the input's configured Tag, or its ID when none is set
	// (inputs only).
	Tag string
	// Config holds the section's parameters, already validated against the
	// plugin's Spec.
	Config *Config
	// Logger is the plugin's structured logger, carrying its ID.
	Logger *slog.Logger
	// Flush is the service's flush interval, for plugins that batch.
	Flush time.Duration
	// MultilineParsers are the configuration's [MULTILINE_PARSER]
	// sections, for plugins that join lines by name (package multiline).
	MultilineParsers []config.Section
	// Parsers holds the configuration's [PARSER] definitions by name, for
	// plugins with a Parser parameter. It is never nil when built by the
	// engine (possibly empty).
	Parsers *parser.Registry
	// Emitter is set for filters whose Spec has Emits. It is a hidden
	// input instance (Fluent Bit's in_emitter), named by Emitter_Name, with
	// its own Mem_Buf_Limit (Emitter_Mem_Buf_Limit): records emitted there
	// are routed by their new tag and pass through the filters that match
	// it, except the emitting filter itself, so a rule cannot loop. A filter
	// calls it from Filter, on the ingesting input's goroutine, and may pass
	// context.Background(): the engine ends a wait at shutdown itself. Emit
	// blocks while the emitter is over its limit, which pauses the input
	// feeding the filter.
	Emitter Emitter
	// Metrics is the running pipeline's counters, read-only for plugins:
	// the engine counts, plugins that report on the pipeline itself (the
	// fluentbit_metrics input) read it with Registry.Families. It is never
	// nil when built by the engine; after a hot reload it holds the new
	// pipeline's instances.
	Metrics *metrics.Registry
	// Drops counts and logs the records the plugin gives up on where it
	// cannot report them in a Flush result (see DropRecorder). It is never
	// nil when built by the engine; DropsOrLog covers plugins built
	// without it.
	Drops DropRecorder
}

// Emitter is how an input hands records to the pipeline.
type Emitter interface {
	// Emit passes events (concatenated encoded events, see package record)
	// with their count under tag. The engine copies what it keeps, so the
	// caller may reuse events once Emit returns. Emit blocks while the
	// input is over its Mem_Buf_Limit (backpressure: the input pauses) and
	// returns ctx.Err() if ctx ends first. A nil error means the records
	// were accepted into the pipeline's buffer: in memory, or, for an
	// input with storage.type filesystem, written to the filesystem buffer
	// (fsynced too with storage.sync full). AckEmitter also reports when
	// memory-buffered records were delivered.
	Emit(ctx context.Context, tag string, events []byte, records int) error
}

// Input produces records.
type Input interface {
	// Run produces records and passes them to emit until ctx is cancelled
	// or the input has nothing more to produce (dummy after Samples). It
	// returns nil in both cases, or ErrExit when the router itself should
	// stop now that this input is done (stdin at end of file, tail with
	// Exit_On_Eof); any other error means the input failed: the engine
	// logs it and stops the router with an error. Run is called once.
	Run(ctx context.Context, emit Emitter) error
}

// ErrExit is returned (possibly wrapped) by an input's Run when it has
// read everything it ever will and the router should stop, as Fluent Bit
// stops when its stdin input reaches end of file or a tail input with
// Exit_On_Eof has read every file: the pipeline shuts down gracefully
// (what is buffered is delivered within Grace) and Sluice exits 0 unless
// records were lost.
var ErrExit = errors.New("input finished; stopping the router")

// ExitCode is ErrExit with the exit code the process should end with, for
// an input that wraps a command and passes its status on (exec's
// Propagate_Exit_Code). errors.Is(err, ErrExit) holds for it.
type ExitCode int

// Error says what ended the router.
func (c ExitCode) Error() string {
	return fmt.Sprintf("input finished with exit code %d; stopping the router", int(c))
}

// Is makes an ExitCode match ErrExit.
func (c ExitCode) Is(target error) bool { return target == ErrExit }

// FilterResult says what a Filter did with a batch.
type FilterResult uint8

// The filter results.
const (
	// FilterUnchanged means the records pass as they came; the engine
	// keeps the input bytes and ignores out.
	FilterUnchanged FilterResult = iota
	// FilterModified means out holds the records that continue (possibly
	// none, possibly more than came in).
	FilterModified
)

// Filter transforms batches of records at ingestion, before routing.
type Filter interface {
	// Filter reads the events of one batch under tag and either leaves
	// them unchanged or writes the surviving records into out, which the
	// engine has reset. It is called from the ingesting input's goroutine;
	// a filter used by several inputs must be safe for concurrent use.
	// An error drops nothing: the engine logs it, counts it and passes
	// the batch on unchanged.
	Filter(tag string, events []byte, out *record.Builder) (FilterResult, error)
}

// Output delivers chunks to a destination.
type Output interface {
	// Flush delivers one chunk. It is called concurrently by the output's
	// Workers goroutines, with chunks that may be shared with other
	// outputs and must not be modified. It returns nil when every record
	// was delivered, or an error classified with Permanent, Throttled or
	// Partial; any other error is retried with backoff. ctx ends when the
	// engine's grace period runs out. Flush must not keep chunk.Data after
	// it returns: the engine recycles the buffer.
	Flush(ctx context.Context, chunk *record.Chunk) error
}

// Drainer is implemented by filters that hold records back across batches
// and emit them later through their Emitter (multiline with buffer on). At
// shutdown the engine calls Drain once, after every input stopped and
// before it seals the open chunks for the last time, so what the filter
// still holds is emitted while the outputs still deliver; Close comes too
// late for that (the outputs have stopped by then).
type Drainer interface {
	Drain(ctx context.Context) error
}

// Closer is implemented by plugins that hold resources. The engine calls
// Close once, after the last Run or Flush returned.
type Closer interface {
	Close(ctx context.Context) error
}

// Starter is implemented by outputs and filters with work to begin as soon
// as the pipeline starts rather than at their first Flush or batch (the s3
// output resumes the uploads a previous run left in store_dir). The
// contract:
//
//   - Pipeline.Run calls Start once per instance, after the filesystem
//     buffer is open and before any input runs, outputs first, then filters,
//     in configuration order. Constructors still do no I/O: `sluice
//     validate` and `sluice test` build plugins without starting them.
//   - Start must not block: it does what is quick (open a directory, make a
//     client) and starts goroutines for the rest, then returns.
//   - ctx is cancelled at shutdown, after the outputs' grace period and
//     before Close. Goroutines Start begins are owned by the plugin: they
//     stop when ctx ends or, at the latest, in Close, which waits for them.
//   - An error does not stop the pipeline: the engine logs it at error
//     level, and the plugin must stay usable and set itself up again in
//     Flush (or Filter), where a failure is retried like any other.
type Starter interface {
	Start(ctx context.Context) error
}
