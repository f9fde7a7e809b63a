package systemd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/journal"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var (
	_ plugin.Input  = (*Input)(nil)
	_ plugin.Closer = (*Input)(nil)
)

// pollInterval is how often the journal directory is checked for new
// entries and files. Fluent Bit waits on sd_journal's inotify descriptor
// and also polls once a second for pending entries.
const pollInterval = 250 * time.Millisecond

// unknownUnit is what '*' in Tag becomes for an entry without
// _SYSTEMD_UNIT, as in Fluent Bit.
const unknownUnit = "unknown"

// Input reads the journal. Its configuration is immutable; Run keeps the
// state of one run.
type Input struct {
	id, tag      string
	logger       *slog.Logger
	path         string
	maxFields    int
	maxEntries   int
	match        *matcher
	readFromTail bool
	lowercase    bool
	strip        bool
	db           *cursorDB

	mu      sync.Mutex
	acks    []*round // rounds in flight, oldest first
	stopped bool     // Run returned: acks are applied by Close
	signal  chan struct{}
}

// round is the entries read in one pass, emitted as one batch per tag; its
// cursor is stored once every batch of it and of every earlier round is
// acknowledged.
type round struct {
	cursor  string
	pending int
	kept    bool // given up on at shutdown: not stored
}

// New validates a systemd section (see Spec).
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id: s.ID, tag: s.Tag, logger: s.Logger,
		path:         c.String("Path"),
		maxFields:    int(c.Int("Max_Fields")),
		maxEntries:   int(c.Int("Max_Entries")),
		readFromTail: c.Bool("Read_From_Tail"),
		lowercase:    c.Bool("Lowercase"),
		strip:        c.Bool("Strip_Underscores"),
		signal:       make(chan struct{}, 1),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	m, err := newMatcher(c.All("Systemd_Filter"), strings.EqualFold(c.String("Systemd_Filter_Type"), "and"))
	if err != nil {
		return nil, c.Errorf("Systemd_Filter", "%v", err)
	}
	in.match = m
	if p := c.String("DB"); p != "" {
		in.db = &cursorDB{path: p, sync: strings.ToLower(c.String("DB.Sync"))}
	}
	return in, nil
}

// journalDirs is Path, or the directories sd_journal_open reads with
// SD_JOURNAL_LOCAL_ONLY: the volatile /run/log/journal and the persistent
// /var/log/journal, those of them that exist.
func (in *Input) journalDirs() ([]string, error) {
	if in.path != "" {
		st, err := os.Stat(in.path)
		if err != nil {
			return nil, fmt.Errorf("systemd input %s: Path %s: %w; give the journal directory (in a container, mount the host's /var/log/journal)", in.id, in.path, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("systemd input %s: Path %s is not a directory; give the journal directory, e.g. /var/log/journal", in.id, in.path)
		}
		return []string{in.path}, nil
	}
	var dirs []string
	for _, p := range []string{"/run/log/journal", "/var/log/journal"} {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			dirs = append(dirs, p)
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("systemd input %s: no journal in /run/log/journal or /var/log/journal; set Path to the journal directory (in a container, mount the host's)", in.id)
	}
	return dirs, nil
}

// Run reads the journal until ctx ends. It returns an error only when it
// cannot start (no journal directory, a DB it cannot read).
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	dirs, err := in.journalDirs()
	if err != nil {
		return err
	}
	d := journal.OpenDir(in.logger, dirs...)
	defer d.Close()
	var start *journal.Cursor
	if in.db != nil {
		c, warning, err := in.db.load()
		if err != nil {
			return fmt.Errorf("systemd input %s: %w", in.id, err)
		}
		if warning != "" {
			in.logger.Warn(warning, "db", in.db.path)
		}
		start = c
	}
	switch {
	case start != nil:
		d.SeekAfter(*start)
		in.logger.Info("resuming after the DB's cursor", "cursor", start.String())
	case in.readFromTail:
		d.SeekTail()
	}
	acker, _ := emit.(plugin.AckEmitter)
	defer func() {
		in.mu.Lock()
		in.stopped = true
		in.mu.Unlock()
	}()
	r := reader{in: in, dir: d, batches: map[string]*record.Builder{}}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var scanErr string
	for {
		if err := d.Scan(); err != nil && err.Error() != scanErr {
			// The directory went away (unmounted?): say so once and
			// keep trying; entries come back with it.
			scanErr = err.Error()
			in.logger.Error("journal directory cannot be read; retrying", "error", err)
		} else if err == nil {
			scanErr = ""
		}
		for {
			more, err := r.round(ctx, emit, acker)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			in.storeAcked()
			if !more {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-in.signal:
		}
		in.storeAcked()
	}
}

// reader is Run's state for reading rounds.
type reader struct {
	in      *Input
	dir     *journal.Dir
	batches map[string]*record.Builder
	tags    []string // in the order first seen this round
	key     []byte
	unitTag map[string]string // _SYSTEMD_UNIT -> tag, for a Tag with '*'
}

// round reads up to Max_Entries entries and emits them, one batch per tag.
// It reports whether it stopped at Max_Entries (more may be waiting).
func (r *reader) round(ctx context.Context, emit plugin.Emitter, acker plugin.AckEmitter) (bool, error) {
	in := r.in
	n := 0
	var last journal.Cursor
	read := false
	for n < in.maxEntries {
		e, seqnumID, err := r.dir.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false, err
		}
		last, read = journal.CursorOf(seqnumID, e), true
		if !in.match.match(e.Fields) {
			continue
		}
		r.append(e)
		n++
	}
	if !read {
		return false, nil
	}
	cursor := last.String()
	rd := &round{cursor: cursor}
	if acker != nil {
		rd.pending = len(r.tags)
		in.mu.Lock()
		in.acks = append(in.acks, rd)
		in.mu.Unlock()
	}
	for _, tag := range r.tags {
		b := r.batches[tag]
		var err error
		if acker != nil {
			err = acker.EmitWithAck(ctx, tag, b.Bytes(), b.Records(), func(delivered bool) { in.ack(rd, delivered) })
		} else {
			err = emit.Emit(ctx, tag, b.Bytes(), b.Records())
		}
		b.Reset()
		if err != nil {
			in.mu.Lock()
			rd.kept = true
			in.mu.Unlock()
			r.tags = r.tags[:0]
			return false, err
		}
	}
	r.tags = r.tags[:0]
	if acker == nil && in.db != nil {
		if err := in.db.store(cursor); err != nil {
			in.logger.Error("DB: write failed; a restart may read entries again", "error", err)
		}
	}
	return n >= in.maxEntries, nil
}

// append encodes e as a record into the batch of its tag.
func (r *reader) append(e *journal.Entry) {
	in := r.in
	tag := in.tag
	if i := strings.IndexByte(tag, '*'); i >= 0 {
		unit := []byte(unknownUnit)
		for _, f := range e.Fields {
			if v, ok := bytes.CutPrefix(f, []byte("_SYSTEMD_UNIT=")); ok {
				unit = v
				break
			}
		}
		if t, ok := r.unitTag[string(unit)]; ok {
			tag = t
		} else {
			tag = tag[:i] + string(unit) + tag[i+1:]
			if r.unitTag == nil || len(r.unitTag) > 4096 {
				r.unitTag = map[string]string{} // bounded: units come and go
			}
			r.unitTag[string(unit)] = tag
		}
	}
	b := r.batches[tag]
	if b == nil {
		b = &record.Builder{}
		r.batches[tag] = b
	}
	if b.Records() == 0 {
		r.tags = append(r.tags, tag)
	}
	// Fluent Bit stamps the record with the entry's __REALTIME_TIMESTAMP
	// (sd_journal_get_realtime_usec), in microseconds.
	b.BeginEvent(record.Time(int64(e.Realtime)*1000), nil)
	fields := 0
	for _, f := range e.Fields {
		if bytes.IndexByte(f, '=') > 0 {
			fields++
		}
	}
	if fields > in.maxFields {
		fields = in.maxFields
	}
	b.AppendMapHeader(fields)
	written := 0
	for _, f := range e.Fields {
		if written == fields {
			break
		}
		k, v, ok := bytes.Cut(f, []byte("="))
		if !ok || len(k) == 0 {
			continue // not FIELD=value: Fluent Bit skips it too
		}
		if in.strip && k[0] == '_' {
			k = k[1:]
		}
		if in.lowercase {
			r.key = append(r.key[:0], k...)
			for i, c := range r.key {
				if 'A' <= c && c <= 'Z' {
					r.key[i] = c + 'a' - 'A'
				}
			}
			k = r.key
		}
		b.AppendStringBytes(k)
		b.AppendStringBytes(v)
		written++
	}
}

// ack runs on an engine goroutine: it records the result and wakes Run.
func (in *Input) ack(rd *round, delivered bool) {
	in.mu.Lock()
	rd.pending--
	if !delivered && in.stopped {
		rd.kept = true
	}
	in.mu.Unlock()
	select {
	case in.signal <- struct{}{}:
	default:
	}
}

// storeAcked stores the cursor of the last round that, with every round
// before it, is fully acknowledged.
func (in *Input) storeAcked() {
	if in.db == nil {
		return
	}
	in.mu.Lock()
	var last *round
	for len(in.acks) > 0 && in.acks[0].pending == 0 && !in.acks[0].kept {
		last, in.acks = in.acks[0], in.acks[1:]
	}
	in.mu.Unlock()
	if last == nil {
		return
	}
	if err := in.db.store(last.cursor); err != nil {
		in.logger.Error("DB: write failed; a restart may read entries again", "error", err)
	}
}

// Close is called by the engine once every output is done: the cursor of
// the last acknowledged entries is stored.
func (in *Input) Close(context.Context) error {
	in.storeAcked()
	return nil
}
