package exec

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var _ plugin.Input = (*Input)(nil)

// Input is an exec input instance.
type Input struct {
	id       string
	tag      string
	logger   *slog.Logger
	command  string
	parser   *parser.Parser
	interval time.Duration
	bufSize  int
	oneshot  bool
	// exitAfter stops Sluice once the one-shot command has run
	// (Exit_After_Oneshot); propagate makes its exit code Sluice's.
	exitAfter, propagate bool
}

// New returns an exec input configured by s.Config (see Spec). It does no
// I/O.
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id:       s.ID,
		tag:      s.Tag,
		logger:   s.Logger,
		command:  c.String("Command"),
		interval: c.Interval(time.Second), // 0 means the default, as in Fluent Bit
		bufSize:  int(c.Size("Buf_Size")),
		oneshot:  c.Bool("Oneshot") || c.Bool("Exit_After_Oneshot"),

		exitAfter: c.Bool("Exit_After_Oneshot"),
		propagate: c.Bool("Propagate_Exit_Code"),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	if in.propagate && !in.exitAfter {
		return nil, c.Errorf("Propagate_Exit_Code", "Propagate_Exit_Code needs Exit_After_Oneshot on: Sluice exits with the command's code only when the command's end stops it")
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

// Run runs the command at start and then every interval (once with
// Oneshot) until ctx ends.
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	t := time.NewTicker(max(in.interval, time.Millisecond))
	defer t.Stop()
	for {
		status, err := in.runOnce(ctx, emit)
		if err != nil {
			return nil // ctx ended while emitting
		}
		if in.oneshot {
			switch {
			case !in.exitAfter || ctx.Err() != nil:
				return nil
			case in.propagate && status != 0:
				return plugin.ExitCode(status)
			}
			return plugin.ErrExit
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil
		}
	}
}

// stderrTail keeps the last bytes a command wrote to standard error.
type stderrTail struct {
	mu  sync.Mutex
	buf []byte
}

func (s *stderrTail) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, p...)
	if len(s.buf) > 1024 {
		s.buf = s.buf[len(s.buf)-1024:]
	}
	return len(p), nil
}

// runOnce runs the command and emits its lines. It returns the command's
// exit status as a shell reports it (128+N for a command killed by signal
// N, 127 when it cannot be started), and an error only when Emit failed
// (shutdown).
func (in *Input) runOnce(ctx context.Context, emit plugin.Emitter) (int, error) {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", in.command)
	var stderr stderrTail
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		in.logger.Warn("cannot run command", "command", in.command, "error", err)
		return 127, nil
	}
	if err := cmd.Start(); err != nil {
		in.logger.Warn("cannot run command", "command", in.command, "error", err)
		return 127, nil
	}
	b := lineBatch{in: in}
	emitErr := b.read(ctx, out, emit)
	io.Copy(io.Discard, out) // let the command finish if Emit stopped reading
	werr := cmd.Wait()
	if emitErr != nil {
		return 0, emitErr
	}
	code := 0
	if werr != nil {
		code = 1
		status := werr.Error()
		var ee *exec.ExitError
		if errors.As(werr, &ee) {
			code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				code = 128 + int(ws.Signal())
			}
			status = fmt.Sprintf("exit status %d", code)
		}
		if ctx.Err() == nil {
			in.logger.Warn("command failed", "command", in.command, "status", status,
				"stderr", string(bytes.TrimSpace(stderr.buf)), "lines", b.lines)
		}
	}
	return code, nil
}

// lineBatch turns lines into records, emitted every 512 lines and at the
// end of the output.
type lineBatch struct {
	in        *Input
	events    record.Builder
	body      []byte
	lines     int
	unmatched int
}

func (b *lineBatch) read(ctx context.Context, r io.Reader, emit plugin.Emitter) error {
	br := bufio.NewReaderSize(r, b.in.bufSize)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			b.add(bytes.TrimRight(line, "\r\n"))
			if b.events.Records() >= 512 {
				if err := b.flush(ctx, emit); err != nil {
					return err
				}
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			break // EOF or a read error: the command's output ended
		}
	}
	return b.flush(ctx, emit)
}

func (b *lineBatch) add(line []byte) {
	b.lines++
	now := record.Now()
	if b.in.parser != nil {
		if err := b.in.parser.AppendEvent(&b.events, line, now, nil); err == nil {
			return
		}
		b.unmatched++
	}
	b.body = msgp.AppendMapHeader(b.body[:0], 1)
	b.body = msgp.AppendString(b.body, "exec")
	b.body = msgp.AppendStringFromBytes(b.body, line)
	b.events.Append(now, nil, b.body)
}

func (b *lineBatch) flush(ctx context.Context, emit plugin.Emitter) error {
	if b.unmatched > 0 {
		b.in.logger.Warn("lines the parser does not match, kept under exec", "parser", b.in.parser.Name(), "count", b.unmatched)
		b.unmatched = 0
	}
	if b.events.Records() == 0 {
		return nil
	}
	err := emit.Emit(ctx, b.in.tag, b.events.Bytes(), b.events.Records())
	b.events.Reset()
	return err
}
