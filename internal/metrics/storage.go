package metrics

import "sync/atomic"

// Storage counts what the filesystem buffer of one input instance holds and
// did (storage.type filesystem). The monitoring server renders them as
// sluice_storage_* when [SERVICE] storage.metrics is on.
type Storage struct {
	Name string // the input instance

	Chunks    atomic.Int64 // chunks on disk not yet delivered to every output
	ChunksUp  atomic.Int64 // of those, chunks whose data is also in memory
	Bytes     atomic.Int64 // bytes of events of those chunks
	Segments  atomic.Int64 // segment files
	DiskBytes atomic.Int64 // size of the segment files

	StoredRecords  atomic.Uint64 // records written (acknowledged to the input)
	WrittenBytes   atomic.Uint64 // bytes written to segments, frames included
	Syncs          atomic.Uint64 // fsyncs of segments
	WriteErrors    atomic.Uint64 // failed writes and fsyncs (a full disk...)
	CorruptFrames  atomic.Uint64 // frames skipped at recovery (bad CRC, truncated)
	CorruptChunks  atomic.Uint64 // chunks skipped whole at recovery or load
	ReplayedChunks atomic.Uint64 // chunks found on disk at start
	EvictedRecords atomic.Uint64 // records dropped for an output's storage.total_limit_size
}

// NewStorage registers the storage counters of an input instance.
func (r *Registry) NewStorage(input string) *Storage {
	s := &Storage{Name: input}
	r.mu.Lock()
	r.storage = append(r.storage, s)
	r.mu.Unlock()
	return s
}

// Storage returns the registered storage counters in registration order.
func (r *Registry) Storage() []*Storage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Storage(nil), r.storage...)
}

// CountRejected counts n records of output written to the dead-letter
// store (storage.keep.rejected).
func (r *Registry) CountRejected(output string, n int) {
	r.mu.Lock()
	if r.rejected == nil {
		r.rejected = map[string]uint64{}
	}
	r.rejected[output] += uint64(n)
	r.mu.Unlock()
}

// Rejected returns the dead-lettered records per output.
func (r *Registry) Rejected() map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]uint64, len(r.rejected))
	for k, v := range r.rejected {
		out[k] = v
	}
	return out
}
