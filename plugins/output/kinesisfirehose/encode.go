package kinesisfirehose

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/sluice-logs/sluice/internal/awsrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// flushState is the reusable memory of one Flush.
type flushState struct {
	batch   awsrecord.Batch
	rec     []byte // one serialised record
	agg     []byte // the Firehose record being assembled
	first   int    // index in batch.Members of agg's first record
	records []types.Record
	failed  []int
	results []awsrecord.RecordResult // per-record results of the last call

	dropped awsrecord.Dropped // records encode left out, reported by Flush
}

func (st *flushState) reset() {
	st.batch.Reset()
	st.rec, st.agg, st.first = st.rec[:0], st.agg[:0], 0
	st.failed = st.failed[:0]
	st.dropped.Reset()
}

// aggregateLimit is how much serialised data simple_aggregation joins into
// one Firehose record. With gzip it leaves room for gzip's worst-case
// growth on incompressible data (5 bytes per 16 KiB block plus 18 bytes of
// header and trailer), so the compressed record still fits.
func (o *Output) aggregateLimit() int {
	if o.gzip {
		return o.maxRecord - 1024
	}
	return o.maxRecord
}

// encode serialises the records of chunk into st.batch: one entry per
// Firehose record, each carrying the chunk indexes it holds. Records the
// format skips and records over the size limit are left out and collected
// in st.dropped, for Flush to report. It fails only when the chunk's first record does not decode.
func (o *Output) encode(st *flushState, chunk *record.Chunk) error {
	st.reset()
	limit := o.aggregateLimit()
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		rec, skip := o.format.Append(st.rec[:0], it.Event())
		st.rec = rec
		if skip != awsrecord.NotSkipped {
			st.dropped.Skip(skip, it.Index())
			continue
		}
		if len(st.agg) > 0 && len(st.agg)+len(rec) > limit {
			o.emit(st)
		}
		st.agg = append(st.agg, rec...)
		st.batch.Members = append(st.batch.Members, it.Index())
		if !o.aggregate {
			o.emit(st)
		}
	}
	o.emit(st)
	if err := it.Err(); err != nil {
		if it.Index() < 0 { // not one record decodes
			return plugin.PermanentReason(plugin.ReasonMalformed, fmt.Errorf("output %s: chunk of tag %q does not decode: %w", o.id, chunk.Tag, err))
		}
		// Sent: the records before it; reported dropped: the rest.
		st.dropped.Malformed(it.Index()+1, chunk.Records, err)
	}
	return nil
}

// emit turns the assembled data into one entry of the batch, compressed
// when configured, or drops it when it is over the record limit.
func (o *Output) emit(st *flushState) {
	if len(st.agg) == 0 {
		return
	}
	b := &st.batch
	start := len(b.Arena)
	if o.gzip {
		b.Arena = awsrecord.AppendGzip(b.Arena, st.agg)
	} else {
		b.Arena = append(b.Arena, st.agg...)
	}
	if size := len(b.Arena) - start; size > o.maxRecord {
		st.dropped.TooLarge(size, b.Members[st.first:]...)
		b.Arena = b.Arena[:start]
		b.Members = b.Members[:st.first]
	} else {
		b.Entries = append(b.Entries, awsrecord.Entry{Start: start, End: len(b.Arena), First: st.first, Last: len(b.Members)})
	}
	st.agg = st.agg[:0]
	st.first = len(b.Members)
}
