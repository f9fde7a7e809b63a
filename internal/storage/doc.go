// Package storage is Sluice's filesystem buffer: a log-structured store of
// chunks, one per input instance whose storage.type is filesystem, under
// [SERVICE] storage.path/<input>/, and the dead-letter store of records an
// output gave up on.
//
// # On-disk format
//
// A store is a directory of segment files, seg-<20-digit sequence>.log,
// written strictly by appending; a new process never appends to a segment
// an earlier one wrote. A segment starts with the 8-byte magic "SLUSEG01",
// followed by frames:
//
//	offset size
//	0      2    magic 0xD7 0x5C
//	2      1    type: 1 open, 2 data, 3 done
//	3      1    flags: bit 0 = CRC present
//	4      4    payload length, little endian
//	8      4    CRC-32C (Castagnoli) of the payload, or 0
//	12     n    payload
//
// Payloads (integers little endian):
//
//	open: chunk id u64 | tag length u16 | tag | output count u8 | (name length u8 | name)...
//	data: chunk id u64 | record count u32 | msgpack events (package record's chunk format)
//	done: chunk id u64 | name length u8 | output name
//
// A chunk is its open frame (tag and the output instances it was routed
// to) and every data frame carrying its id, concatenated in file order; a
// done frame records that one output delivered it (or gave it up, counted
// and dead-lettered). A chunk is complete when every output it was routed
// to has a done frame. Segments are deleted oldest first, once every chunk
// with a frame in them is complete; deleting in order keeps each done frame
// at least as long as the chunk it refers to.
//
// # Durability
//
// Chunk.Append returns once its frame is written to the segment file
// (write(2) returned, so the data survives a kill -9 of Sluice); with
// SyncFull it also fsyncs first, so the data survives a power loss or
// kernel crash. With SyncNormal the segment is fsynced when a chunk is
// sealed and by Sync (the engine calls it every Flush), so a machine crash
// loses at most the records appended since the last of those.
//
// Chunk.Append is Chunk.Write followed by Store.WaitDurable. The engine
// calls them apart: Write under the input's lock (frames keep the order in
// which records join the open chunk), WaitDurable after releasing it. The
// fsyncs run without the store's lock, one at a time, each covering every
// write made before it began, and every writer waiting returns after the
// first such fsync that covers its write (a group commit): concurrent
// writers share fsyncs, and none is told its data is durable before it is.
// Done frames
// are written but not fsynced: losing one re-delivers a chunk (a
// duplicate), never loses one.
//
// # Recovery
//
// Open scans every segment in order. A frame whose CRC does not match, or
// whose events do not decode, is skipped and reported with its file and
// offset; the rest of its chunk and every other chunk are kept. A frame
// cut short (the tail of a segment being written when the process died),
// or a header that is not a frame header, ends the scan of that segment,
// reported with the file, the offset and the bytes ignored.
package storage
