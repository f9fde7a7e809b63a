package monitor

import (
	"net/http"
	"strconv"

	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/record"
)

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
