package storage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/record"
)

// recover scans the segments left by earlier processes and rebuilds their
// incomplete chunks.
func (s *Store) recover() ([]*Chunk, error) {
	entries, err := s.fs.ReadDir(s.opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("storage of input %q: list %s: %w", s.opts.Name, s.opts.Dir, err)
	}
	var seqs []uint64
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, "seg-") || !strings.HasSuffix(name, ".log") {
			continue
		}
		seq, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, "seg-"), ".log"), 10, 64)
		if err != nil {
			s.logger.Warn("storage: ignoring a file that is not a segment", "file", filepath.Join(s.opts.Dir, name))
			continue
		}
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	orphans := map[uint64][]frameRef{} // data frames whose open frame is missing so far
	var maxID uint64
	for _, seq := range seqs {
		seg := &segment{seq: seq, path: filepath.Join(s.opts.Dir, segmentName(seq))}
		f, err := s.fs.OpenFile(seg.path, os.O_RDONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("storage of input %q: open %s: %w", s.opts.Name, seg.path, err)
		}
		data, err := io.ReadAll(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("storage of input %q: read %s: %w", s.opts.Name, seg.path, err)
		}
		seg.f, seg.size = f, int64(len(data))
		s.segs = append(s.segs, seg)
		s.nextSeq = max(s.nextSeq, seq+1)
		s.metrics.Segments.Add(1)
		s.metrics.DiskBytes.Add(seg.size)
		maxID = max(maxID, s.scanSegment(seg, data, orphans))
	}
	s.nextID = maxID + 1
	for id, frames := range orphans {
		records := 0
		for _, fr := range frames {
			records += fr.records
		}
		s.metrics.CorruptChunks.Add(1)
		s.logger.Error("storage: chunk without a readable open frame (its tag and outputs are lost); skipping its records",
			"chunk", id, "records", records, "file", frames[0].seg.path, "offset", frames[0].off)
	}
	var backlog []*Chunk
	for id, c := range s.chunks {
		if len(c.frames) == 0 || allDone(c.done) {
			delete(s.chunks, id)
			continue
		}
		for _, seg := range c.segs {
			seg.pending++
		}
		c.sealed = true
		backlog = append(backlog, c)
	}
	sortChunks(backlog)
	for _, c := range backlog {
		s.metrics.Chunks.Add(1)
		s.metrics.Bytes.Add(c.size)
		s.metrics.ReplayedChunks.Add(1)
		for i, o := range c.outputs {
			if !c.done[i] {
				s.charge(o, c.size)
			}
		}
	}
	s.collect()
	if len(backlog) > 0 {
		s.logger.Info("storage: backlog found; replaying it to the outputs it was routed to",
			"chunks", len(backlog), "segments", len(s.segs), "dir", s.opts.Dir)
	}
	return backlog, nil
}

// scanSegment reads the frames of one segment into s.chunks and returns
// the largest chunk id it saw.
func (s *Store) scanSegment(seg *segment, data []byte, orphans map[uint64][]frameRef) uint64 {
	var maxID uint64
	if len(data) < len(segmentMagic) || string(data[:len(segmentMagic)]) != segmentMagic {
		if len(data) > 0 {
			s.metrics.CorruptFrames.Add(1)
			s.logger.Error("storage: segment does not start with the segment magic; ignoring it",
				"file", seg.path, "offset", 0, "bytes", len(data))
		}
		return 0
	}
	off := len(segmentMagic)
	for off < len(data) {
		if len(data)-off < frameHeaderSize {
			s.reportTail(seg, off, len(data)-off, "truncated frame header")
			break
		}
		h, err := parseHeader(data[off:])
		if err != nil {
			s.reportTail(seg, off, len(data)-off, err.Error())
			break
		}
		end := off + frameHeaderSize + int(h.length)
		if end > len(data) {
			s.reportTail(seg, off, len(data)-off, "truncated frame (the process stopped while writing it)")
			break
		}
		payload := data[off+frameHeaderSize : end]
		if err := h.checkCRC(payload); err != nil {
			s.corrupt(seg, off, h, err)
			off = end
			continue
		}
		switch h.typ {
		case frameOpen:
			id, tag, outputs, err := parseOpen(payload)
			if err != nil {
				s.corrupt(seg, off, h, err)
				break
			}
			maxID = max(maxID, id)
			c := &Chunk{s: s, id: id, tag: tag, outputs: outputs, done: make([]bool, len(outputs)), opened: true}
			s.chunks[id] = c
			for _, fr := range orphans[id] {
				s.addFrame(c, fr)
			}
			delete(orphans, id)
		case frameData:
			id, records, events, err := parseData(payload)
			if err == nil {
				var n int
				if n, err = record.Count(events); err == nil && n != records {
					err = fmt.Errorf("frame says %d records, holds %d", records, n)
				}
			}
			if err != nil {
				s.corrupt(seg, off, h, err)
				break
			}
			maxID = max(maxID, id)
			fr := frameRef{seg: seg, off: int64(off), length: int(h.length), records: records}
			if c := s.chunks[id]; c != nil {
				s.addFrame(c, fr)
			} else {
				orphans[id] = append(orphans[id], fr)
			}
		case frameDone:
			id, output, err := parseDone(payload)
			if err != nil {
				s.corrupt(seg, off, h, err)
				break
			}
			if c := s.chunks[id]; c != nil {
				for i, o := range c.outputs {
					if o == output {
						c.done[i] = true
					}
				}
			}
		}
		off = end
	}
	return maxID
}

func (s *Store) addFrame(c *Chunk, fr frameRef) {
	if len(c.segs) == 0 || c.segs[len(c.segs)-1] != fr.seg {
		c.segs = append(c.segs, fr.seg)
	}
	c.frames = append(c.frames, fr)
	c.records += fr.records
	c.size += int64(fr.length - dataHeaderSize)
}

// corrupt reports a frame skipped at recovery.
func (s *Store) corrupt(seg *segment, off int, h header, err error) {
	s.metrics.CorruptFrames.Add(1)
	kind := map[frameType]string{frameOpen: "open", frameData: "data", frameDone: "done"}[h.typ]
	s.logger.Error("storage: corrupted frame skipped; the other chunks are delivered",
		"file", seg.path, "offset", off, "frame", kind, "bytes", frameHeaderSize+int(h.length), "error", err)
}

// reportTail reports the unreadable end of a segment.
func (s *Store) reportTail(seg *segment, off, n int, why string) {
	s.metrics.CorruptFrames.Add(1)
	s.logger.Error("storage: unreadable end of segment ignored", "file", seg.path, "offset", off, "bytes", n, "reason", why)
}

func allDone(done []bool) bool {
	for _, d := range done {
		if !d {
			return false
		}
	}
	return true
}

func sortChunks(cs []*Chunk) {
	slices.SortFunc(cs, func(a, b *Chunk) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
}
