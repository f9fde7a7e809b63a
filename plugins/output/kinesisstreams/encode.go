package kinesisstreams

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/awsrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// flushState is the reusable memory of one Flush.
type flushState struct {
	batch   awsrecord.Batch
	rec     []byte // one serialised record
	packed  []byte // rec compressed
	key     []byte // partition key text
	agg     kplAggregator
	joined  []byte // simple_aggregation's record being joined
	joinKey string
	first   int // index in batch.Members of the aggregate's first record
	entries []types.PutRecordsRequestEntry
	failed  []int
	results []awsrecord.RecordResult // per-record results of the last call

	dropped awsrecord.Dropped // records encode left out, reported by Flush
}

func (st *flushState) reset() {
	st.batch.Reset()
	st.agg.reset()
	st.joined = st.joined[:0]
	st.first = 0
	st.failed = st.failed[:0]
	st.dropped.Reset()
}

// randomKey returns a random partition key: 32 hex digits, spread evenly
// over the stream's hash key range.
func randomKey() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := rand.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

// recordKey returns the record's partition key from partition_key, or ""
// when it is unset or the record lacks it.
func (o *Output) recordKey(st *flushState, body []byte) string {
	if o.keyPath == nil {
		return ""
	}
	v, ok := o.keyPath.Get(body)
	if !ok {
		return ""
	}
	st.key, ok = accessor.AppendText(st.key[:0], v)
	if !ok || len(st.key) == 0 {
		return ""
	}
	return string(truncateRunes(st.key, MaxPartitionKey))
}

// truncateRunes cuts b to at most n UTF-8 characters.
func truncateRunes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for i := range string(b) {
		if n == 0 {
			return b[:i]
		}
		n--
	}
	return b
}

// encode serialises the records of chunk into st.batch: one entry per
// Kinesis record (a user record, or an aggregate of them), each carrying
// the chunk indexes it holds. It fails only when the chunk's first record
// does not decode.
func (o *Output) encode(st *flushState, chunk *record.Chunk) error {
	st.reset()
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		ev := it.Event()
		rec, skip := o.format.Append(st.rec[:0], ev)
		st.rec = rec
		if skip != awsrecord.NotSkipped {
			st.dropped.Skip(skip, it.Index())
			continue
		}
		switch o.compress {
		case compressGzip:
			st.packed = awsrecord.AppendGzip(st.packed[:0], rec)
			rec = st.packed
		case compressZlib:
			st.packed = awsrecord.AppendZlib(st.packed[:0], rec)
			rec = st.packed
		}
		key := o.recordKey(st, ev.Body)
		if o.simple {
			o.joinRecord(st, key, rec, it.Index())
			continue
		}
		if o.aggregate {
			o.aggregateRecord(st, key, rec, it.Index())
			continue
		}
		if key == "" {
			key = randomKey()
		}
		o.addEntry(st, key, rec, it.Index())
	}
	o.emitAggregate(st)
	o.emitJoined(st)
	if err := it.Err(); err != nil {
		if it.Index() < 0 { // not one record decodes
			return plugin.PermanentReason(plugin.ReasonMalformed, fmt.Errorf("output %s: chunk of tag %q does not decode: %w", o.id, chunk.Tag, err))
		}
		// Sent: the records before it; reported dropped: the rest.
		st.dropped.Malformed(it.Index()+1, chunk.Records, err)
	}
	return nil
}

// tooLarge records a record that cannot be sent.
func (st *flushState) tooLarge(index, size int) { st.dropped.TooLarge(size, index) }

// addEntry adds one plain (not aggregated) record.
func (o *Output) addEntry(st *flushState, key string, data []byte, index int) {
	if size := len(data) + len(key); size > o.maxRecord {
		st.tooLarge(index, size)
		return
	}
	b := &st.batch
	start := len(b.Arena)
	b.Arena = append(b.Arena, data...)
	b.Members = append(b.Members, index)
	b.Entries = append(b.Entries, awsrecord.Entry{Start: start, End: len(b.Arena), Key: key, First: len(b.Members) - 1, Last: len(b.Members)})
	st.first = len(b.Members)
}

// aggregateRecord adds a record to the aggregate, sending the aggregate
// first when the record would not fit in it.
func (o *Output) aggregateRecord(st *flushState, key string, data []byte, index int) {
	shared := key == ""
	if shared {
		if st.agg.count() > 0 {
			key = st.agg.firstKey()
		} else {
			key = randomKey()
		}
	}
	if size := len(data) + len(key); size > o.maxRecord {
		st.tooLarge(index, size)
		return
	}
	if st.agg.count() > 0 && st.agg.recordSizeWith(key, len(data)) > o.maxRecord {
		o.emitAggregate(st)
		if shared {
			key = randomKey()
		}
	}
	st.agg.add(key, data)
	st.batch.Members = append(st.batch.Members, index)
}

// emitAggregate turns the aggregate into one entry: an aggregated record,
// or the user record itself when it holds only one (as the KPL does).
// aggregateRecord only lets a second record in when the aggregate still
// fits.
func (o *Output) emitAggregate(st *flushState) {
	a := &st.agg
	if a.count() == 0 {
		return
	}
	b := &st.batch
	key := a.firstKey()
	start := len(b.Arena)
	if a.count() == 1 {
		// Sent as is: it fits as a plain record even when the aggregation
		// overhead would push it over the limit.
		b.Arena = append(b.Arena, a.userRecord(0)...)
	} else {
		b.Arena = a.appendTo(b.Arena)
	}
	b.Entries = append(b.Entries, awsrecord.Entry{Start: start, End: len(b.Arena), Key: key, First: st.first, Last: len(b.Members)})
	st.first = len(b.Members)
	a.reset()
}

// joinRecord adds a record to the joined record of simple_aggregation,
// sending that first when the record would not fit. A joined record takes
// the partition key of its first record.
func (o *Output) joinRecord(st *flushState, key string, data []byte, index int) {
	if len(st.joined) > 0 && len(st.joined)+len(data)+len(st.joinKey) > o.maxRecord {
		o.emitJoined(st)
	}
	if len(st.joined) == 0 {
		if key == "" {
			key = randomKey()
		}
		if size := len(data) + len(key); size > o.maxRecord {
			st.tooLarge(index, size)
			return
		}
		st.joinKey = key
	}
	st.joined = append(st.joined, data...)
	st.batch.Members = append(st.batch.Members, index)
}

// emitJoined turns the joined record into one entry.
func (o *Output) emitJoined(st *flushState) {
	if len(st.joined) == 0 {
		return
	}
	b := &st.batch
	start := len(b.Arena)
	b.Arena = append(b.Arena, st.joined...)
	b.Entries = append(b.Entries, awsrecord.Entry{Start: start, End: len(b.Arena), Key: st.joinKey, First: st.first, Last: len(b.Members)})
	st.first = len(b.Members)
	st.joined = st.joined[:0]
}
