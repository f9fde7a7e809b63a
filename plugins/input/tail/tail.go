package tail

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/multiline"
	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/regex"
)

var _ plugin.Input = (*Input)(nil)

// pollInterval is how often followed files are checked for growth,
// rotation and truncation when no file event arrives: the fallback that
// makes file events an optimisation, never a requirement.
const pollInterval = 250 * time.Millisecond

// passBudget bounds what one file may read in one pass over the files, so
// that one busy file cannot starve the others.
const passBudget = 4 << 20

// Input follows files. Its configuration is immutable; Run keeps the
// state of one run.
type Input struct {
	id, tag      string
	logger       *slog.Logger
	drops        plugin.DropRecorder // lines skipped as too long
	patterns     []string
	exclude      []string
	pathKey      string
	offsetKey    string
	key          string
	refresh      time.Duration
	rotateWait   time.Duration
	ignoreOlder  time.Duration
	readFromHead bool
	skipLong     bool
	skipEmpty    bool
	block        int
	maxLine      int
	dbPath       string
	dbSync       syncMode
	dbLock       bool
	inotify      bool
	exitOnEOF    bool
	tagRegex     *tagRegex
	parsers      []*multiline.Parser
	parser       *parser.Parser // Parser: applied to each line's (or joined message's) text

	// run is the state of Run, kept for Close: acknowledgements of the
	// last batches arrive after Run returned. Set once, by Run, before
	// Close can be called.
	run *runState
}

// New validates a tail section (see Spec).
func New(s plugin.Settings) (*Input, error) {
	c := s.Config
	in := &Input{
		id: s.ID, tag: s.Tag, logger: s.Logger, drops: s.DropsOrLog(),
		exclude:      c.List("Exclude_Path"),
		pathKey:      c.String("Path_Key"),
		offsetKey:    c.String("Offset_Key"),
		key:          c.String("Key"),
		refresh:      c.Duration("Refresh_Interval"),
		rotateWait:   c.Duration("Rotate_Wait"),
		ignoreOlder:  c.Duration("Ignore_Older"),
		readFromHead: c.Bool("Read_from_Head"),
		skipLong:     c.Bool("Skip_Long_Lines"),
		skipEmpty:    c.Bool("Skip_Empty_Lines"),
		block:        int(c.Size("Buffer_Chunk_Size")),
		maxLine:      int(c.Size("Buffer_Max_Size")),
		dbPath:       c.String("DB"),
		dbSync:       parseSyncMode(c.String("DB.sync")),
		dbLock:       c.Bool("DB.locking"),
		inotify:      c.Bool("Inotify_Watcher"),
		exitOnEOF:    c.Bool("Exit_On_Eof"),
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	for _, paths := range c.AllWords("Path") {
		for _, p := range paths {
			if _, err := filepath.Match(p, ""); err != nil {
				return nil, c.Errorf("Path", "pattern %q: %v", p, err)
			}
			in.patterns = append(in.patterns, p)
		}
	}
	if len(in.patterns) == 0 {
		return nil, c.Errorf("Path", "no pattern; write one or more globs, e.g. /var/log/containers/*.log")
	}
	for _, p := range in.exclude {
		if _, err := filepath.Match(p, ""); err != nil {
			return nil, c.Errorf("Exclude_Path", "pattern %q: %v", p, err)
		}
	}
	if in.refresh <= 0 {
		in.refresh = time.Second
	}
	if expr := c.String("Tag_Regex"); expr != "" {
		re, err := regex.Compile(expr)
		if err != nil {
			return nil, c.Errorf("Tag_Regex", "%v", err)
		}
		in.tagRegex = &tagRegex{re: re, logger: in.logger}
	}
	if in.key == "" {
		return nil, c.Errorf("Key", "must not be empty")
	}
	names := c.List("multiline.parser")
	if c.Bool("Docker_Mode") && !containsFold(names, "docker") {
		names = append([]string{"docker"}, names...)
	}
	parsers, err := multiline.Resolve(names, s.MultilineParsers)
	if err != nil {
		return nil, c.Errorf("multiline.parser", "%v", err)
	}
	if c.Bool("Docker_Mode") && c.IsSet("Docker_Mode_Flush") {
		for i, p := range parsers {
			if p.Kind() == multiline.KindDocker {
				parsers[i], _ = multiline.New(p.Name(), p.Kind(), c.Duration("Docker_Mode_Flush"), nil)
			}
		}
	}
	in.parsers = parsers
	if name := c.String("Parser"); name != "" {
		p, ok := s.Parsers.Lookup(name)
		if !ok {
			return nil, c.Errorf("Parser", "no parser named %q; %s", name, s.Parsers.UnknownHint(name))
		}
		in.parser = p
	}
	return in, nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// Run follows the files until ctx ends, then returns nil. It returns an
// error only when it cannot start (the DB cannot be opened or is locked).
func (in *Input) Run(ctx context.Context, emit plugin.Emitter) error {
	st := &runState{in: in, ctx: ctx, emitter: emit, files: map[fileID]*tailedFile{}, watched: map[string]bool{},
		byName: map[string]*tailedFile{}, buffers: newBufferPool(in.block), acks: newAckQueue()}
	st.acker, _ = emit.(plugin.AckEmitter)
	if in.dbPath != "" {
		db, err := openDB(in.dbPath, in.dbSync, in.dbLock)
		if err != nil {
			return fmt.Errorf("tail input %s: %w", in.id, err)
		}
		st.db = db
	}
	in.run = st
	if st.acker == nil {
		defer st.close()
	} else {
		// Close, after the outputs, stores the last acknowledged
		// offsets and closes the DB; the watcher is Run's alone.
		defer st.stopWatcher()
	}
	if in.inotify {
		st.startWatcher()
	}
	st.scan(true)
	st.recoverRotated()
	return st.loop()
}
