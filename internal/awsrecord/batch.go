package awsrecord

import (
	"compress/gzip"
	"compress/zlib"
	"io"
	"sync"
)

// Entry is one record of an AWS put call, as offsets into the arena that
// holds the serialised data of a whole chunk, and the chunk records it
// carries: Members[First:Last] of the Batch (one index normally, several
// when records are aggregated).
type Entry struct {
	Start, End  int
	Key         string
	First, Last int
}

// Size is what the entry counts toward a service's byte limits: its data
// and its partition key (Kinesis counts both; Firehose has no key).
func (e *Entry) Size() int { return e.End - e.Start + len(e.Key) }

// Batch is a chunk's records, serialised and ready to split into calls.
// Reset keeps its buffers.
type Batch struct {
	// Arena holds the serialised data of every entry.
	Arena []byte
	// Entries in chunk order.
	Entries []Entry
	// Members are chunk indexes, grouped per entry.
	Members []int
}

// Reset empties the batch and keeps its buffers.
func (b *Batch) Reset() {
	b.Arena, b.Entries, b.Members = b.Arena[:0], b.Entries[:0], b.Members[:0]
}

// Data returns the bytes of entry i. The slice aliases the arena.
func (b *Batch) Data(i int) []byte {
	e := &b.Entries[i]
	return b.Arena[e.Start:e.End:e.End]
}

// Indexes appends the chunk indexes carried by entries[from:to] to dst.
func (b *Batch) Indexes(dst []int, from, to int) []int {
	for i := from; i < to; i++ {
		dst = append(dst, b.Members[b.Entries[i].First:b.Entries[i].Last]...)
	}
	return dst
}

// Limits are a put call's quotas.
type Limits struct {
	// Records is the most entries per call (500 for PutRecordBatch and
	// PutRecords).
	Records int
	// CallBytes is the most bytes per call, counted by Entry.Size (4 MiB
	// for PutRecordBatch, 5 MiB for PutRecords).
	CallBytes int
}

// NextCall returns the end (exclusive) of the call that starts at entry
// start: as many entries as fit within l. Every entry must itself fit
// within l.CallBytes, which the caller ensures with its per-record limit.
func (b *Batch) NextCall(start int, l Limits) int {
	size := 0
	end := start
	for end < len(b.Entries) && end-start < l.Records {
		s := b.Entries[end].Size()
		if size+s > l.CallBytes && end > start {
			break
		}
		size += s
		end++
	}
	return end
}

// compressor is a pooled compressing writer and the buffer it appends to,
// kept together so compressing a record allocates nothing.
type compressor struct {
	w   appendWriter
	zip interface {
		Write([]byte) (int, error)
		Close() error
		Reset(io.Writer)
	}
}

// appendWriter appends what is written to it to a byte slice.
type appendWriter struct{ b []byte }

// Write appends p.
func (w *appendWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

var (
	gzipWriters = sync.Pool{New: func() any { return &compressor{zip: gzip.NewWriter(nil)} }}
	zlibWriters = sync.Pool{New: func() any { return &compressor{zip: zlib.NewWriter(nil)} }}
)

func compress(pool *sync.Pool, dst, src []byte) []byte {
	c := pool.Get().(*compressor)
	c.w.b = dst
	c.zip.Reset(&c.w)
	c.zip.Write(src)
	c.zip.Close()
	out := c.w.b
	c.w.b = nil
	pool.Put(c)
	return out
}

// AppendGzip appends src compressed as one gzip member to dst.
func AppendGzip(dst, src []byte) []byte { return compress(&gzipWriters, dst, src) }

// AppendZlib appends src compressed as one zlib stream to dst.
func AppendZlib(dst, src []byte) []byte { return compress(&zlibWriters, dst, src) }
