package tail

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// shutdownFlush bounds how long Run, once ctx ended, spends handing over
// multiline messages still being joined.
const shutdownFlush = 2 * time.Second

// runState is one Run: the followed files, the DB and the watcher. It is
// owned by the goroutine of Run, then by Close; the watcher's goroutine
// only sends on its channels, and acknowledgements come through acks.
type runState struct {
	in      *Input
	ctx     context.Context
	emitter plugin.Emitter
	db      *offsetDB
	files   map[fileID]*tailedFile
	batch   record.Builder
	now     record.Time
	buffers *bufferPool
	scratch []byte                // the Parser's output before it joins the batch
	fpBuf   [fingerprintSize]byte // extendFingerprint's reads
	acker   plugin.AckEmitter     // emitter as an AckEmitter, nil when it is not one
	acks    *ackQueue
	// stopping is set once Run is ending: records the engine gives up on
	// from then on are dropped at shutdown, not for good.
	stopping bool

	watcher *fsnotify.Watcher
	watched map[string]bool
	rescan  bool // a new file may have appeared
	// full asks the next pass to visit every file: set by the poll tick
	// and by events that may mean a rotation. Other passes visit only the
	// files that write events named (dirty), so a busy file among many
	// idle ones costs reads of that file only.
	full   bool
	byName map[string]*tailedFile // by the path found and its symlink's target
}

// loop is Run's body: a pass over every file whenever something may have
// changed — a file event, the poll tick — and a rescan of Path on create
// events, event overflow and every Refresh_Interval.
func (st *runState) loop() error {
	poll := time.NewTicker(pollInterval)
	defer poll.Stop()
	refresh := time.NewTicker(st.in.refresh)
	defer refresh.Stop()
	var events <-chan fsnotify.Event
	var errs <-chan error
	if st.watcher != nil {
		events, errs = st.watcher.Events, st.watcher.Errors
	}
	st.full = true
	for {
		if st.rescan {
			st.rescan = false
			st.full = true
			st.scan(false)
		}
		full := st.full
		st.full = false
		more, err := st.pass(full)
		if err != nil {
			return st.stop(err)
		}
		if more {
			if st.ctx.Err() != nil {
				return st.stop(nil)
			}
			continue
		}
		if st.in.exitOnEOF {
			st.in.logger.Info("every file read to its end; stopping (Exit_On_Eof)")
			for _, t := range st.files {
				if line, at := t.lr.rest(); line != nil {
					st.line(t, line, at)
				}
				if err := st.flush(t); err != nil {
					return st.stop(err)
				}
			}
			return st.stop(plugin.ErrExit)
		}
		select {
		case <-st.ctx.Done():
			return st.stop(nil)
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			st.event(ev)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			st.watchError(err)
		case <-st.acks.signal:
			st.applyAcks()
		case <-poll.C:
			st.full = true
		case <-refresh.C:
			st.rescan = true
		}
		st.drainEvents(events, errs)
	}
}

// pass reads every file (full) or the dirty ones up to their end (or
// their passBudget, reporting more), checks them for truncation and, on
// full passes, rotation, closes the rotated files whose Rotate_Wait is
// over, and emits the multiline messages that timed out.
func (st *runState) pass(full bool) (more bool, err error) {
	now := time.Now()
	for _, t := range st.files {
		if !full && !t.dirty {
			continue
		}
		t.dirty = false
		var m bool
		if st.checkTruncated(t) { // an fstat spares idle files a read
			if m, err = st.readFile(t); err != nil {
				return false, err
			}
		}
		if m {
			more, t.dirty = true, true
		} else if full {
			if err := st.checkRotated(t, now); err != nil {
				return false, err
			}
		}
		if t.joiner != nil && !t.closed && !t.stopped {
			t.joiner.FlushExpired()
			if err := st.flush(t); err != nil {
				return false, err
			}
		}
		if t.closed {
			st.forget(t)
		}
	}
	if st.db != nil {
		if err := st.db.tick(now); err != nil {
			st.in.logger.Error("offsets DB: sync failed; offsets may be lost on power failure", "error", err)
		}
	}
	return more, nil
}

// stop ends Run: multiline messages still being joined are handed over
// (files and the DB are closed by Run's deferred close, or by Close when
// acknowledgements are still to come). An Emit error caused by ctx is no
// error.
func (st *runState) stop(err error) error {
	st.stopping = true
	if err != nil && st.ctx.Err() != nil {
		err = nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(st.ctx), shutdownFlush)
	defer cancel()
	st.ctx = ctx
	for _, t := range st.files {
		if t.joiner != nil {
			t.joiner.Flush()
			if e := st.flush(t); e != nil {
				break
			}
		}
	}
	return err
}

// stopWatcher stops the file event watcher and its goroutine.
func (st *runState) stopWatcher() {
	if st.watcher != nil {
		st.watcher.Close()
		st.watcher = nil
	}
}

// close releases what Run opened.
func (st *runState) close() {
	for _, t := range st.files {
		if !t.closed && !t.stopped {
			t.f.Close()
		}
	}
	st.stopWatcher()
	if st.db != nil {
		if err := st.db.close(); err != nil {
			st.in.logger.Error("offsets DB: close failed", "error", err)
		}
	}
}

// scan expands Path and starts following the files not followed yet.
// initial marks the scan at start-up, which honours Read_from_Head.
func (st *runState) scan(initial bool) {
	for _, pattern := range st.in.patterns {
		for _, dir := range watchDirs(pattern) {
			st.watch(dir)
		}
		matches, _ := filepath.Glob(pattern) // patterns were validated by New
		for _, path := range matches {
			if excluded(st.in.exclude, path) {
				continue
			}
			fi, err := os.Stat(path)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			id := idOf(fi)
			if t := st.files[id]; t != nil {
				if !t.rotated.IsZero() && t.name != path {
					// Renamed to a name Path still matches: followed as
					// any other file again.
					delete(st.byName, t.name)
					t.name, t.rotated = path, time.Time{}
					st.byName[path] = t
				}
				continue
			}
			if st.in.ignoreOlder > 0 && time.Since(fi.ModTime()) > st.in.ignoreOlder {
				continue
			}
			st.open(path, id, initial)
		}
	}
}

// recoverRotated looks, at start-up, for the files the DB knows that
// Path no longer matches: rotated while Sluice was down (app.log renamed
// app.log.1, a kubelet's 0.log renamed 0.log.<time>). A file found under a
// new name in the same directory, or in the directory of its symlink's
// target, is read to its end from its offset, then closed after
// Rotate_Wait like any rotated file. Entries with no such file are dropped.
func (st *runState) recoverRotated() {
	if st.db == nil {
		return
	}
	var lost []fileID
	dirs := map[string]map[fileID]string{}
	for id, e := range st.db.entries {
		if st.files[id] != nil {
			continue
		}
		found := false
		for _, dir := range candidateDirs(e.name) {
			byID, ok := dirs[dir]
			if !ok {
				byID = listDir(dir)
				dirs[dir] = byID
			}
			if path, ok := byID[id]; ok {
				if t := st.openRecovered(path, id, e); t != nil {
					found = true
					break
				}
			}
		}
		if !found {
			lost = append(lost, id)
		}
	}
	for _, id := range lost {
		if err := st.db.remove(id); err != nil {
			st.in.logger.Error("offsets DB: write failed", "error", err)
		}
	}
}

// candidateDirs are the directories a rotated file may be found in.
func candidateDirs(name string) []string {
	dirs := []string{filepath.Dir(name)}
	if real, err := filepath.EvalSymlinks(name); err == nil && filepath.Dir(real) != dirs[0] {
		dirs = append(dirs, filepath.Dir(real))
	}
	return dirs
}

// listDir maps the regular files of dir by identity.
func listDir(dir string) map[fileID]string {
	out := map[fileID]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	for _, e := range ents {
		path := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
			out[idOf(fi)] = path
		}
	}
	return out
}

// startWatcher starts the file event watcher; without one, polling alone
// finds growth, rotation and new files.
func (st *runState) startWatcher() {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		st.in.logger.Warn("file events unavailable; following files by polling", "error", err)
		return
	}
	st.watcher = w
}

// watch adds dir to the watched directories once.
func (st *runState) watch(dir string) {
	if st.watcher == nil || st.watched[dir] {
		return
	}
	if err := st.watcher.Add(dir); err != nil {
		// The directory may not exist yet; Refresh_Interval finds it.
		st.in.logger.Debug("cannot watch directory; relying on polling for it", "dir", dir, "error", err)
		return
	}
	st.watched[dir] = true
}

// event handles one file event. Writes, renames and removals are handled
// by the pass that follows every event; creations may be new files.
func (st *runState) event(ev fsnotify.Event) {
	if ev.Has(fsnotify.Create) {
		st.rescan = true
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		st.full = true
	}
	if t := st.byName[ev.Name]; t != nil {
		t.dirty = true
	} else if ev.Has(fsnotify.Write) {
		st.full = true // a name not known under this spelling: look at every file
	}
	if ev.Has(fsnotify.Remove) && st.watched[ev.Name] {
		delete(st.watched, ev.Name) // the directory itself went away
	}
}

// watchError handles a watcher error: on overflow, events were lost, so
// Path is expanded again.
func (st *runState) watchError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		st.in.logger.Warn("file events overflowed; rescanning Path")
	} else {
		st.in.logger.Warn("file event watcher error; rescanning Path", "error", err)
	}
	st.rescan, st.full = true, true
}

// drainEvents handles every event already waiting, so that a burst costs
// one pass.
func (st *runState) drainEvents(events <-chan fsnotify.Event, errs <-chan error) {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			st.event(ev)
		case err, ok := <-errs:
			if !ok {
				return
			}
			st.watchError(err)
		default:
			return
		}
	}
}

// forget drops a closed file from the run's maps.
func (st *runState) forget(t *tailedFile) {
	delete(st.files, t.id)
	for name, f := range st.byName {
		if f == t {
			delete(st.byName, name)
		}
	}
}
