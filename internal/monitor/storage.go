package monitor

import (
	"net/http"
	"strconv"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/record"
)

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

	// One sample per output, 0 until it dead-letters a record, so the
	// series exists for dashboards and alerts from the start.
	rejected := r.Rejected()
	outs := r.Outputs()
	if len(outs) == 0 {
		return
	}
	const name = "sluice_output_rejected_records_total"
	p.family(name, "counter", "Records the output gave up on that were written to the dead-letter store (storage.keep.rejected).")
	for _, o := range outs {
		p.sample(name, rejected[o.Name], "name", o.Name)
	}
}

// serveStorage answers /api/v1/storage (storage.metrics on) in Fluent Bit's
// shape:
//
//	{"storage_layer":{"chunks":{"total_chunks":N,"mem_chunks":N,"fs_chunks":N,"fs_chunks_up":N,"fs_chunks_down":N}},
//	 "input_chunks":{"stdin.0":{"status":{"overlimit":false,"mem_size":"0b","mem_limit":"0b"},
//	                            "chunks":{"total":N,"up":N,"down":N,"busy":N,"busy_size":"0b"}}}}
//
// Chunks are Sluice's filesystem chunks; memory inputs report none
// (mem_chunks is 0), only their buffered bytes in mem_size.
func (s *Server) serveStorage(w http.ResponseWriter, _ *http.Request) {
	stores := map[string]*metrics.Storage{}
	var total, up int64
	for _, st := range s.registry.Storage() {
		stores[st.Name] = st
		total += max(st.Chunks.Load(), 0)
		up += max(st.ChunksUp.Load(), 0)
	}
	b := make([]byte, 0, 512)
	b = append(b, `{"storage_layer":{"chunks":{"total_chunks":`...)
	b = strconv.AppendInt(b, total, 10)
	b = append(b, `,"mem_chunks":0,"fs_chunks":`...)
	b = strconv.AppendInt(b, total, 10)
	b = append(b, `,"fs_chunks_up":`...)
	b = strconv.AppendInt(b, up, 10)
	b = append(b, `,"fs_chunks_down":`...)
	b = strconv.AppendInt(b, max(total-up, 0), 10)
	b = append(b, `}},"input_chunks":{`...)
	for i, in := range s.registry.Inputs() {
		if i > 0 {
			b = append(b, ',')
		}
		buffered := max(in.BufferedBytes.Load(), 0)
		var chunks, chunksUp, size int64
		if st := stores[in.Name]; st != nil {
			chunks, chunksUp, size = max(st.Chunks.Load(), 0), max(st.ChunksUp.Load(), 0), max(st.Bytes.Load(), 0)
		}
		b = record.AppendJSONString(b, []byte(in.Name))
		b = append(b, `:{"status":{"overlimit":`...)
		b = strconv.AppendBool(b, in.MemBufLimit > 0 && buffered >= in.MemBufLimit)
		b = append(b, `,"mem_size":"`...)
		b = appendHumanSize(b, buffered)
		b = append(b, `","mem_limit":"`...)
		b = appendHumanSize(b, max(in.MemBufLimit, 0))
		b = append(b, `"},"chunks":{"total":`...)
		b = strconv.AppendInt(b, chunks, 10)
		b = append(b, `,"up":`...)
		b = strconv.AppendInt(b, chunksUp, 10)
		b = append(b, `,"down":`...)
		b = strconv.AppendInt(b, max(chunks-chunksUp, 0), 10)
		b = append(b, `,"busy":`...)
		b = strconv.AppendInt(b, chunksUp, 10)
		b = append(b, `,"busy_size":"`...)
		b = appendHumanSize(b, size)
		b = append(b, `"}}`...)
	}
	b = append(b, "}}\n"...)
	writeJSONBytes(w, http.StatusOK, b)
}

// appendHumanSize writes n as Fluent Bit's flb_utils_bytes_to_human_readable_size
// does: "512b", then one decimal with K, M, G, T (powers of 1024), e.g. "47.7M".
func appendHumanSize(b []byte, n int64) []byte {
	const units = "bKMGTPE"
	i, div := 0, int64(1)
	for i < len(units)-1 && n/(div*1024) > 0 {
		div *= 1024
		i++
	}
	if i == 0 {
		return append(strconv.AppendInt(b, n, 10), 'b')
	}
	b = strconv.AppendFloat(b, float64(n)/float64(div), 'f', 1, 32)
	return append(b, units[i])
}
