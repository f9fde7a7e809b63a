package stdout

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var _ plugin.Output = (*Output)(nil)

// Output prints chunks to a writer. It is safe for concurrent use: each
// Flush formats its chunk on its own and writes it with one Write call
// under a lock, so the records of two chunks never interleave.
type Output struct {
	logger  *slog.Logger
	format  format
	dateKey []byte // `"date":`, or nil when json_date_key is off
	date    dateFormat

	mu sync.Mutex // serialises writes to w
	w  io.Writer
}

// New returns a stdout output writing to w, configured by s.Config (see
// Spec). The plugin's constructor passes os.Stdout; tests pass a buffer.
func New(s plugin.Settings, w io.Writer) (*Output, error) {
	c := s.Config
	o := &Output{
		logger: s.Logger,
		format: parseFormat(c.String("Format")),
		date:   parseDateFormat(c.String("json_date_format")),
		w:      w,
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if key := c.String("json_date_key"); key != "" && !dateKeyDisabled(key) {
		o.dateKey = append(record.AppendJSONString(nil, []byte(key)), ':')
	}
	return o, nil
}

// Flush formats every record of chunk and writes them in one call. A record
// that cannot be decoded ends the chunk (the bytes after it cannot be
// framed): the records before it are written and the rest reported dropped
// (plugin.ReasonMalformed); when not even the first record decodes, the
// chunk is rejected as permanent.
// A failed write is returned as is, so the engine retries the chunk.
func (o *Output) Flush(_ context.Context, chunk *record.Chunk) error {
	bp := getBuffer()
	defer putBuffer(bp)
	buf, written, err := o.appendChunk((*bp)[:0], chunk)
	*bp = buf
	var rest error // the records after a malformed one, once the others are printed
	if err != nil {
		if written == 0 {
			return plugin.PermanentReason(plugin.ReasonMalformed, fmt.Errorf("chunk of tag %q has no valid record: %w", chunk.Tag, err))
		}
		rest = plugin.PartialDropped(nil, nil, plugin.DropRest(plugin.ReasonMalformed, written, chunk.Records,
			fmt.Errorf("record %d of the chunk (tag %q) does not decode; the %d before it were printed: %w", written, chunk.Tag, written, err)))
	}
	if len(buf) == 0 {
		return rest
	}
	o.mu.Lock()
	_, werr := o.w.Write(buf)
	o.mu.Unlock()
	if werr != nil {
		return fmt.Errorf("write %d records of tag %q to standard output: %w", written, chunk.Tag, werr)
	}
	return rest
}

// appendChunk formats the records of chunk in o's format and returns how
// many it wrote, stopping at the first that does not decode.
func (o *Output) appendChunk(dst []byte, chunk *record.Chunk) ([]byte, int, error) {
	it := record.NewIterator(chunk.Data)
	n := 0
	if o.format == formatJSON {
		dst = append(dst, '[')
	}
	var err error
	for it.Next() {
		ev := it.Event()
		mark := len(dst)
		switch o.format {
		case formatMsgpack:
			dst, err = appendMsgpackEvent(dst, n, chunk.Tag, ev)
		case formatJSON:
			if n > 0 {
				dst = append(dst, ',')
			}
			dst, err = appendJSONRecord(dst, ev, o.dateKey, o.date)
		case formatJSONLines:
			if dst, err = appendJSONRecord(dst, ev, o.dateKey, o.date); err == nil {
				dst = append(dst, '\n')
			}
		case formatJSONStream:
			dst, err = appendJSONRecord(dst, ev, o.dateKey, o.date)
		}
		if err != nil { // cannot happen for a decoded event; keep what came before
			dst = dst[:mark]
			err = fmt.Errorf("record %d: %w", it.Index(), err)
			break
		}
		n++
	}
	if err == nil {
		err = it.Err()
	}
	switch o.format {
	case formatJSON:
		if n == 0 {
			return dst[:0], 0, err
		}
		dst = append(dst, ']', '\n')
	case formatJSONStream:
		if n > 0 {
			dst = append(dst, '\n')
		}
	}
	return dst, n, err
}

// Output buffers are pooled: a chunk is formatted into a reused slice, so
// the steady state allocates nothing per record or per chunk.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// maxPooledBuffer keeps an unusually large chunk's buffer from being held
// forever; chunks are sealed near 2 MiB, whose JSON is a few MiB.
const maxPooledBuffer = 16 << 20

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	bufferPool.Put(b)
}
