package awsrecord

import (
	"fmt"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Dropped collects, while a chunk is encoded, the chunk indexes of the
// records an AWS record output cannot send, by reason, so that Flush
// reports them to the engine (plugin.PartialDropped) which counts and logs
// them: records over the service's record limit, records the Format skips,
// and the undecodable rest of a malformed chunk. The zero value is ready;
// Reset reuses it for the next chunk.
type Dropped struct {
	oversize, noLogKey, empty, malformed []int
	bigSize                              int // of the first oversize record
	malformedErr                         error
}

// Reset forgets the last chunk's records, keeping the memory.
func (d *Dropped) Reset() {
	d.oversize, d.noLogKey, d.empty, d.malformed = d.oversize[:0], d.noLogKey[:0], d.empty[:0], d.malformed[:0]
	d.bigSize, d.malformedErr = 0, nil
}

// Skip records the event at index that Format.Append skipped.
func (d *Dropped) Skip(s Skip, index int) {
	switch s {
	case SkipNoLogKey:
		d.noLogKey = append(d.noLogKey, index)
	case SkipEmpty:
		d.empty = append(d.empty, index)
	}
}

// TooLarge records the events at indexes, which serialise to size bytes,
// more than one record of the service may hold.
func (d *Dropped) TooLarge(size int, indexes ...int) {
	if len(indexes) == 0 {
		return
	}
	if len(d.oversize) == 0 {
		d.bigSize = size
	}
	d.oversize = append(d.oversize, indexes...)
}

// Malformed records that the events from index on, to the end of a chunk
// of records events, do not decode (err).
func (d *Dropped) Malformed(index, records int, err error) {
	for i := index; i < records; i++ {
		d.malformed = append(d.malformed, i)
	}
	d.malformedErr = err
}

// Any reports whether a record was dropped.
func (d *Dropped) Any() bool {
	return len(d.oversize)+len(d.noLogKey)+len(d.empty)+len(d.malformed) > 0
}

// Result is what Flush returns: err, the outcome of sending the rest, with
// the dropped records added as plugin.Drop groups when err is nil or a
// partial failure. Other errors (the whole chunk is retried, or given up
// on) are returned as they are: the drops are reported by the attempt that
// delivers the rest, so each record is counted once. output names the
// instance, limit the record limit (e.g. "Kinesis's 1 MiB record limit
// (data and partition key)") and logKey the log_key parameter.
func (d *Dropped) Result(err error, output, limit, logKey string) error {
	if !d.Any() {
		return err
	}
	var failed []int
	if err != nil {
		class, _, f := plugin.Classify(err)
		if class != plugin.ClassPartial {
			return err
		}
		failed = f
	}
	var drops []plugin.Drop
	if n := len(d.oversize); n > 0 {
		drops = append(drops, plugin.Drop{Reason: plugin.ReasonOversize, Indexes: d.clone(d.oversize),
			Err: fmt.Errorf("output %s: %d records larger than %s (the first: %d bytes); shorten them (e.g. with log_key or a filter) or split them",
				output, n, limit, d.bigSize)})
	}
	if n := len(d.noLogKey); n > 0 {
		drops = append(drops, plugin.Drop{Reason: plugin.ReasonMissingKey, Indexes: d.clone(d.noLogKey),
			Err: fmt.Errorf("output %s: %d records without the log_key %q; send whole records (unset log_key) or add the key with a filter", output, n, logKey)})
	}
	if n := len(d.empty); n > 0 {
		drops = append(drops, plugin.Drop{Reason: plugin.ReasonEmpty, Indexes: d.clone(d.empty),
			Err: fmt.Errorf("output %s: %d records empty after log_key/data_keys; the service refuses empty records", output, n)})
	}
	if n := len(d.malformed); n > 0 {
		drops = append(drops, plugin.Drop{Reason: plugin.ReasonMalformed, Indexes: d.clone(d.malformed),
			Err: fmt.Errorf("output %s: the last %d records of the chunk do not decode: %w", output, n, d.malformedErr)})
	}
	return plugin.PartialDropped(err, failed, drops...)
}

// clone copies indexes out of the reused state: the engine reads them after
// Flush returned.
func (d *Dropped) clone(indexes []int) []int { return append([]int(nil), indexes...) }
