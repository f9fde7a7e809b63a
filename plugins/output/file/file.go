package file

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var (
	_ plugin.Output = (*Output)(nil)
	_ plugin.Closer = (*Output)(nil)
)

// Output appends chunks to files. It is safe for concurrent use: each Flush
// formats its chunk on its own, then appends it with one Write under a
// lock, so chunks never interleave. Files stay open between flushes (see
// openFiles).
type Output struct {
	logger     *slog.Logger
	dir        string // Path; "" is the working directory
	file       string // File; "" means the record tag
	format     format
	delim      string // csv and ltsv field separator
	label      string // ltsv label separator
	template   template
	csvColumns bool
	mkdir      bool

	mu    sync.Mutex // serialises appends and guards files and buf
	files openFiles
	buf   []byte // formatted records not yet written (writeChunk)
}

// New returns a file output configured by s.Config (see Spec). It checks
// the configuration only; files are opened by Flush.
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	o := &Output{
		logger:     s.Logger,
		dir:        c.String("Path"),
		file:       c.String("File"),
		format:     parseFormat(c.String("Format")),
		csvColumns: c.Bool("Csv_Column_Names"),
		mkdir:      c.Bool("Mkdir"),
		files:      openFiles{open: map[string]*openFile{}},
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	o.delim, o.label = ",", ":"
	if o.format == formatLTSV {
		o.delim = "\t"
	}
	o.delim = o.separator(c, "Delimiter", o.delim)
	o.label = o.separator(c, "Label_Delimiter", o.label)
	o.template = parseTemplate(c.String("Template"))
	return o, nil
}

// separator reads a Delimiter-like parameter. Fluent Bit (check_delimiter)
// knows only \t or tab, space and comma, and silently keeps the default for
// anything else; Sluice keeps the default too but says so.
func (o *Output) separator(c *plugin.Config, name, def string) string {
	if !c.IsSet(name) {
		return def
	}
	switch v := c.String(name); strings.ToLower(v) {
	case `\t`, "tab":
		return "\t"
	case "space":
		return " "
	case "comma":
		return ","
	default:
		o.logger.Warn(fmt.Sprintf("%s %q is not one of \\t, tab, space or comma; using the default %q as Fluent Bit does", name, v, def))
		return def
	}
}

// Flush appends the records of chunk to the file named by File or the tag.
// A record that does not decode ends the chunk (the bytes after it cannot
// be framed): the records before it are written and the rest reported
// dropped (plugin.ReasonMalformed); when not even the first record
// decodes, the chunk is rejected as permanent. Opening or writing errors (a
// missing directory, permissions, a full disk) are returned as they are, so
// the engine retries the chunk; what the chunk had written is cut off the
// file first, so the retry does not repeat records.
//
// Records are formatted into one buffer of the output and written each
// time it holds pieceSize bytes: a 2 MiB chunk formats to 3 or 4 MiB of
// text, which is never held whole. The output's lock is held for the whole
// chunk, so concurrent workers never interleave records.
func (o *Output) Flush(_ context.Context, chunk *record.Chunk) error {
	path, err := o.path(chunk.Tag)
	if err != nil {
		return plugin.Permanent(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	w := chunkWriter{o: o, path: path}
	var written int
	if o.format == formatMsgpack {
		var out []byte
		out, written, err = validPrefix(chunk.Data)
		if len(out) > 0 {
			if werr := w.write(out); werr != nil {
				return werr
			}
		}
	} else {
		var werr error
		written, err, werr = o.writeChunk(&w, chunk)
		if werr != nil {
			return werr
		}
	}
	var rest error // the records after a malformed one, once the others are written
	if err != nil {
		if written == 0 {
			return plugin.PermanentReason(plugin.ReasonMalformed, fmt.Errorf("chunk of tag %q for %s has no valid record: %w", chunk.Tag, path, err))
		}
		rest = plugin.PartialDropped(nil, nil, plugin.DropRest(plugin.ReasonMalformed, written, chunk.Records,
			fmt.Errorf("record %d of the chunk (tag %q) does not decode; the %d before it were written to %s: %w", written, chunk.Tag, written, path, err)))
	}
	return rest
}

// validPrefix returns the events of data up to the first that does not
// decode, and how many there are.
func validPrefix(data []byte) ([]byte, int, error) {
	it := record.NewIterator(data)
	size := 0
	for it.Next() {
		size += len(it.Event().Raw)
	}
	return data[:size], it.Index() + 1, it.Err()
}

// path is the file a chunk of tag goes to: Path/File, or Path/tag.
func (o *Output) path(tag string) (string, error) {
	name := o.file
	if name == "" {
		// A tag comes from the data (forward clients, rewrite_tag), so it
		// must not climb out of Path.
		if !filepath.IsLocal(tag) {
			return "", fmt.Errorf("tag %q is not a safe file name (empty, absolute or with ..); set File to name the output file", tag)
		}
		name = tag
	}
	return filepath.Join(o.dir, name), nil
}

// chunkWriter writes one chunk's formatted pieces to its file. The file
// is opened at the first piece (a chunk with nothing to write touches no
// file); with Csv_Column_Names a new file gets the header first.
type chunkWriter struct {
	o     *Output
	path  string
	f     *os.File
	start int64         // the file's size before the chunk
	wrote bool          // some of the chunk is in the file
	first *record.Event // first record with fields, for csv column names
}

func (w *chunkWriter) write(b []byte) error {
	if w.f == nil {
		f, size, err := w.o.files.get(w.path, w.o.mkdir)
		if err != nil {
			return err
		}
		w.f, w.start = f, size
		if w.o.format == formatCSV && w.o.csvColumns && size == 0 && w.first != nil {
			header, err := appendCSVHeader(nil, w.first, w.o.delim) // once per file
			if err != nil {
				return plugin.Permanent(fmt.Errorf("csv column names for %s: %w", w.path, err))
			}
			if err := w.append(header); err != nil {
				return err
			}
		}
	}
	return w.append(b)
}

func (w *chunkWriter) append(b []byte) error {
	n, err := w.f.Write(b)
	if err != nil {
		if n > 0 || w.wrote {
			if terr := w.f.Truncate(w.start); terr != nil {
				w.o.logger.Error("could not remove a partly written chunk; the retry will repeat its first records",
					"file", w.path, "bytes", n, "error", terr)
			}
		}
		w.o.files.drop(w.path)
		return fmt.Errorf("append to %s: %w; check free space and permissions", w.path, err)
	}
	w.wrote = true
	return nil
}

// Close closes the files the output keeps open. The engine calls it once,
// after the last Flush.
func (o *Output) Close(context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.files.closeAll()
}

// pieceSize is how much formatted text the output holds before writing
// it. Larger pieces save little: a write of 256 KiB costs far more in
// copying than in the system call.
const pieceSize = 256 << 10

// writeChunk formats the records of chunk into o.buf, writing it with w
// each time it holds pieceSize bytes. It returns how many records it
// formatted, stopping at the first that does not decode (fmtErr), and the
// error of a failed write. Called with o.mu held.
func (o *Output) writeChunk(w *chunkWriter, chunk *record.Chunk) (n int, fmtErr, writeErr error) {
	if cap(o.buf) == 0 {
		o.buf = make([]byte, 0, pieceSize+pieceSize/4)
	}
	dst := o.buf[:0]
	defer func() {
		if cap(dst) > 4*pieceSize {
			dst = nil // a huge record made it grow: let it go
		}
		o.buf = dst[:0]
	}()
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		ev := it.Event()
		mark := len(dst)
		dst, fmtErr = o.appendRecord(dst, chunk.Tag, ev)
		if fmtErr != nil { // cannot happen for a decoded event; keep what came before
			dst = dst[:mark]
			fmtErr = fmt.Errorf("record %d: %w", it.Index(), fmtErr)
			break
		}
		if w.first == nil && o.csvColumns && len(dst) > mark {
			e := *ev
			w.first = &e
		}
		n++
		if len(dst) >= pieceSize {
			if writeErr = w.write(dst); writeErr != nil {
				return n, nil, writeErr
			}
			dst = dst[:0]
		}
	}
	if fmtErr == nil {
		fmtErr = it.Err()
	}
	if len(dst) > 0 {
		writeErr = w.write(dst)
	}
	return n, fmtErr, writeErr
}

// appendRecord formats one record in the output's Format.
func (o *Output) appendRecord(dst []byte, tag string, ev *record.Event) ([]byte, error) {
	switch o.format {
	case formatOutFile:
		return appendOutFile(dst, tag, ev)
	case formatPlain:
		return appendPlain(dst, ev)
	case formatCSV:
		return appendCSV(dst, ev, o.delim)
	case formatLTSV:
		return appendLTSV(dst, ev, o.delim, o.label)
	case formatTemplate:
		return appendTemplate(dst, o.template, ev)
	}
	return dst, nil
}
