package file

import (
	"context"
	"fmt"
	"log/slog"
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

	mu    sync.Mutex // serialises appends and guards files
	files openFiles
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
// decodes, the chunk is rejected as permanent. Opening or writing errors (a missing directory, permissions,
// a full disk) are returned as they are, so the engine retries the chunk.
func (o *Output) Flush(_ context.Context, chunk *record.Chunk) error {
	path, err := o.path(chunk.Tag)
	if err != nil {
		return plugin.Permanent(err)
	}
	var (
		out     []byte
		written int
		first   *record.Event // first record with fields, for csv column names
	)
	if o.format == formatMsgpack {
		out, written, err = validPrefix(chunk.Data)
	} else {
		bp := getBuffer()
		defer putBuffer(bp)
		*bp, written, first, err = o.appendChunk((*bp)[:0], chunk)
		out = *bp
	}
	var rest error // the records after a malformed one, once the others are written
	if err != nil {
		if written == 0 {
			return plugin.PermanentReason(plugin.ReasonMalformed, fmt.Errorf("chunk of tag %q for %s has no valid record: %w", chunk.Tag, path, err))
		}
		rest = plugin.PartialDropped(nil, nil, plugin.DropRest(plugin.ReasonMalformed, written, chunk.Records,
			fmt.Errorf("record %d of the chunk (tag %q) does not decode; the %d before it were written to %s: %w", written, chunk.Tag, written, path, err)))
	}
	if len(out) == 0 {
		return rest
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.appendFile(path, out, first); err != nil {
		return err
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

// appendFile appends buf to path with one write, adding the csv column
// names first when the file is new or empty. A short write is cut back off
// the file, so the retry does not leave half a record behind; the file is
// then closed, so the retry opens it afresh.
func (o *Output) appendFile(path string, buf []byte, first *record.Event) error {
	f, size, err := o.files.get(path, o.mkdir)
	if err != nil {
		return err
	}
	if o.format == formatCSV && o.csvColumns && size == 0 && first != nil {
		header, err := appendCSVHeader(nil, first, o.delim)
		if err != nil {
			return plugin.Permanent(fmt.Errorf("csv column names for %s: %w", path, err))
		}
		buf = append(header, buf...) // once per file: the allocation does not matter
	}
	n, err := f.Write(buf)
	if err != nil {
		if n > 0 {
			if terr := f.Truncate(size); terr != nil {
				o.logger.Error("could not remove a partly written chunk; the retry will repeat its first records",
					"file", path, "bytes", n, "error", terr)
			}
		}
		o.files.drop(path)
		return fmt.Errorf("append to %s: %w; check free space and permissions", path, err)
	}
	return nil
}

// Close closes the files the output keeps open. The engine calls it once,
// after the last Flush.
func (o *Output) Close(context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.files.closeAll()
}

// appendChunk formats the records of chunk and returns how many it wrote,
// stopping at the first that does not decode, and the first record with
// fields (for the csv column names).
func (o *Output) appendChunk(dst []byte, chunk *record.Chunk) ([]byte, int, *record.Event, error) {
	it := record.NewIterator(chunk.Data)
	var (
		n     int
		first *record.Event
		err   error
	)
	for it.Next() {
		ev := it.Event()
		mark := len(dst)
		switch o.format {
		case formatOutFile:
			dst, err = appendOutFile(dst, chunk.Tag, ev)
		case formatPlain:
			dst, err = appendPlain(dst, ev)
		case formatCSV:
			dst, err = appendCSV(dst, ev, o.delim)
		case formatLTSV:
			dst, err = appendLTSV(dst, ev, o.delim, o.label)
		case formatTemplate:
			dst, err = appendTemplate(dst, o.template, ev)
		}
		if err != nil { // cannot happen for a decoded event; keep what came before
			dst = dst[:mark]
			err = fmt.Errorf("record %d: %w", it.Index(), err)
			break
		}
		if first == nil && o.csvColumns && len(dst) > mark {
			e := *ev
			first = &e
		}
		n++
	}
	if err == nil {
		err = it.Err()
	}
	return dst, n, first, err
}

// Output buffers are pooled: a chunk is formatted into a reused slice, so
// the steady state allocates nothing per record.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// maxPooledBuffer keeps an unusually large chunk's buffer from being held
// forever; chunks are sealed near 2 MiB.
const maxPooledBuffer = 16 << 20

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	bufferPool.Put(b)
}
