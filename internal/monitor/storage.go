package monitor

import "github.com/sluice-logs/sluice/internal/metrics"

// renderStorage appends the sluice_storage_* families of the filesystem
// buffer (registered per input when [SERVICE] storage.metrics is on) and
// the dead-letter counts.
func renderStorage(p *promWriter, r *metrics.Registry) {
	type st = *metrics.Storage
	gauge := func(name, help string, v func(st) int64) promFamily[st] {
		return promFamily[st]{name, "gauge", help, func(s st) uint64 { return uint64(max(v(s), 0)) }}
	}
	counter := func(name, help string, v func(st) uint64) promFamily[st] {
		return promFamily[st]{name, "counter", help, v}
	}
	perInstance(p, r.Storage(), func(s st) string { return s.Name },
		gauge("sluice_storage_chunks", "Chunks in the input's filesystem buffer not yet delivered to every output they were routed to.",
			func(s st) int64 { return s.Chunks.Load() }),
		gauge("sluice_storage_chunks_up", "Of those chunks, the ones also held in memory (bounded by storage.max_chunks_up).",
			func(s st) int64 { return s.ChunksUp.Load() }),
		gauge("sluice_storage_chunks_down", "Of those chunks, the ones only on disk, waiting for room in memory.",
			func(s st) int64 { return s.Chunks.Load() - s.ChunksUp.Load() }),
		gauge("sluice_storage_buffered_bytes", "Bytes of records in the input's filesystem buffer not yet delivered everywhere.",
			func(s st) int64 { return s.Bytes.Load() }),
		gauge("sluice_storage_segments", "Segment files of the input's filesystem buffer.",
			func(s st) int64 { return s.Segments.Load() }),
		gauge("sluice_storage_disk_bytes", "Size of the input's segment files.",
			func(s st) int64 { return s.DiskBytes.Load() }),
		counter("sluice_storage_stored_records_total", "Records written to the filesystem buffer, i.e. acknowledged to the input.",
			func(s st) uint64 { return s.StoredRecords.Load() }),
		counter("sluice_storage_written_bytes_total", "Bytes written to segment files, frame headers included.",
			func(s st) uint64 { return s.WrittenBytes.Load() }),
		counter("sluice_storage_fsyncs_total", "fsyncs of segment files.",
			func(s st) uint64 { return s.Syncs.Load() }),
		counter("sluice_storage_write_errors_total", "Failed writes or fsyncs of segment files (a full or failing disk); the input pauses and retries.",
			func(s st) uint64 { return s.WriteErrors.Load() }),
		counter("sluice_storage_corrupted_frames_total", "Frames skipped when reading the buffer back (bad CRC-32C, undecodable, truncated).",
			func(s st) uint64 { return s.CorruptFrames.Load() }),
		counter("sluice_storage_corrupted_chunks_total", "Chunks skipped whole because they could not be read back.",
			func(s st) uint64 { return s.CorruptChunks.Load() }),
		counter("sluice_storage_replayed_chunks_total", "Chunks a previous run left on disk, replayed at start.",
			func(s st) uint64 { return s.ReplayedChunks.Load() }),
		counter("sluice_storage_evicted_records_total", "Records dropped from the buffer because an output reached its storage.total_limit_size.",
			func(s st) uint64 { return s.EvictedRecords.Load() }))

	rejected := r.Rejected()
	if len(rejected) == 0 {
		return
	}
	const name = "sluice_output_rejected_records_total"
	p.family(name, "counter", "Records the output gave up on that were written to the dead-letter store (storage.keep.rejected).")
	for _, o := range r.Outputs() {
		if n, ok := rejected[o.Name]; ok {
			p.sample(name, n, "name", o.Name)
		}
	}
}
