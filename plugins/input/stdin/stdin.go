package stdin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var _ plugin.Input = (*Input)(nil)

const (
	// readSize is the size of each read of the input.
	readSize = 64 << 10
	// A batch is emitted once it holds batchRecords records or batchBytes
	// bytes, or as soon as no more input is waiting, so interactive use
	// sees every line at once.
	batchRecords = 512
	batchBytes   = 256 << 10
)

// Input reads records from a stream, one per line.
type Input struct {
	tag     string
	logger  *slog.Logger
	drops   plugin.DropRecorder // lines skipped
	r       io.Reader
	maxLine int
	parser  *parser.Parser // nil: lines are read as JSON
}

// New returns a stdin input reading r, configured by s.Config (see Spec).
// The plugin's constructor passes os.Stdin; tests pass any reader.
func New(s plugin.Settings, r io.Reader) (*Input, error) {
	c := s.Config
	in := &Input{tag: s.Tag, logger: s.Logger, drops: s.DropsOrLog(), r: r, maxLine: int(c.Size("Buffer_Size"))}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	if name := c.String("Parser"); name != "" {
		p, ok := s.Parsers.Lookup(name)
		if !ok {
			return nil, c.Errorf("Parser", "no parser named %q; %s", name, s.Parsers.UnknownHint(name))
		}
		in.parser = p
	}
	return in, nil
}

// Run reads lines until the input ends, which returns nil, or ctx ends,
// which returns nil at once. Records are emitted in batches: when a batch
// is full, or when every line read so far is handled and no more input is
// waiting.
//
// Reading happens in a goroutine that Run owns: it stops at its next read
// after Run returns. A blocking read of standard input cannot be
// interrupted, so when ctx ends first that goroutine stays parked in the
// read until data or end of file arrives (or the process exits); nothing
// it reads then is emitted.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	reads := make(chan read)
	free := make(chan []byte, 2)
	free <- make([]byte, readSize)
	free <- make([]byte, readSize)
	stop := make(chan struct{})
	defer close(stop)
	go readLoop(in.r, reads, free, stop)

	st := &runState{in: in, ctx: ctx, emitter: emit, split: lineSplitter{max: in.maxLine}}
	for {
		var r read
		select {
		case r = <-reads:
		default:
			// Nothing is waiting: hand over what is batched before blocking.
			if st.flush(); st.err != nil {
				return st.result()
			}
			select {
			case r = <-reads:
			case <-ctx.Done():
				return nil
			}
		}
		st.now = record.Now()
		st.split.feed(r.buf[:r.n], st.line, st.oversize)
		free <- r.buf
		if st.err != nil {
			return st.result()
		}
		if r.err == nil {
			continue
		}
		st.split.end(st.line, st.oversize)
		if st.flush(); st.err != nil {
			return st.result()
		}
		if !errors.Is(r.err, io.EOF) {
			return fmt.Errorf("stdin input: read after line %d: %w", st.split.lines, r.err)
		}
		st.summary()
		return plugin.ErrExit // Fluent Bit stops at the end of its standard input too
	}
}

// read is the outcome of one Read of the input.
type read struct {
	buf []byte // the whole buffer, to hand back
	n   int
	err error
}

// readLoop reads r into the buffers of free and sends each outcome, until
// an error (end of file included) or until stop is closed.
func readLoop(r io.Reader, reads chan<- read, free <-chan []byte, stop <-chan struct{}) {
	for {
		var buf []byte
		select {
		case buf = <-free:
		case <-stop:
			return
		}
		n, err := r.Read(buf)
		select {
		case reads <- read{buf: buf, n: n, err: err}:
		case <-stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// runState is what one Run keeps between reads.
type runState struct {
	in      *Input
	ctx     context.Context
	emitter plugin.Emitter
	split   lineSplitter
	batch   record.Builder
	scratch []byte
	now     record.Time
	err     error // the first Emit error, which ends Run

	records, text, invalid, oversized int64
}

// line decodes one line into the batch, and emits the batch when full.
func (st *runState) line(n int64, b []byte) {
	if st.err != nil {
		return
	}
	var (
		kind    lineKind
		scratch []byte
		err     error
	)
	if st.in.parser != nil {
		kind, scratch = parseLine(&st.batch, st.in.parser, st.scratch, b, st.now)
	} else {
		kind, scratch, err = decodeLine(&st.batch, st.scratch, b, st.now)
	}
	st.scratch = scratch
	switch kind {
	case lineJSON:
		st.records++
	case lineText:
		st.records++
		st.text++
		if st.in.parser != nil {
			st.in.logger.Debug("line does not match the parser; kept as {\"log\": line}", "line", n, "parser", st.in.parser.Name())
		} else {
			st.in.logger.Debug("line is not a JSON object or array; kept as {\"log\": line}", "line", n)
		}
	case lineInvalid:
		st.invalid++
		st.in.drops.Drop(st.in.tag, plugin.ReasonMalformed, 1, fmt.Errorf("stdin: line %d skipped: not a valid record: %w", n, err))
	}
	if st.batch.Records() >= batchRecords || st.batch.Size() >= batchBytes {
		st.flush()
	}
}

// oversize reports a line longer than Buffer_Size.
func (st *runState) oversize(n int64, size int) {
	st.oversized++
	st.in.drops.Drop(st.in.tag, plugin.ReasonOversize, 1, fmt.Errorf("stdin: line %d of %d bytes skipped: longer than Buffer_Size (%d bytes); raise Buffer_Size to read it",
		n, size, st.in.maxLine))
}

// flush emits the batch, if any, and records an error in st.err.
func (st *runState) flush() {
	if st.batch.Records() == 0 || st.err != nil {
		return
	}
	st.err = st.emitter.Emit(st.ctx, st.in.tag, st.batch.Bytes(), st.batch.Records())
	st.batch.Reset()
}

// result is Run's outcome after an Emit error: nil when ctx ended.
func (st *runState) result() error {
	if st.ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("stdin input: emit records: %w", st.err)
}

// summary logs what the input read, once it reached the end.
func (st *runState) summary() {
	args := []any{"lines", st.split.lines, "records", st.records}
	level := slog.LevelInfo
	if st.text > 0 {
		args = append(args, "kept_as_log", st.text)
	}
	if st.invalid > 0 || st.oversized > 0 {
		args = append(args, "skipped_invalid", st.invalid, "skipped_oversized", st.oversized)
		level = slog.LevelWarn
	}
	st.in.logger.Log(context.Background(), level, "end of standard input", args...)
}
