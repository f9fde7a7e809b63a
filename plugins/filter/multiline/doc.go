// Package multiline implements the multiline filter: the lines of one
// logical message that arrived as separate records (a Java exception, a
// Python traceback, a Go panic, a container line the runtime split) are
// joined into one record.
//
// # Fluent Bit parity
//
// Parameters are Fluent Bit's filter_multiline. multiline.parser names the
// parsers of package internal/multiline, applied in order: the built-ins
// docker, cri, go, java and python, and [MULTILINE_PARSER] sections (which
// win over a built-in of the same name). multiline.key_content is the key
// holding the text (log unless set; when unset, a named [MULTILINE_PARSER]
// section's key_content is used). Lines are grouped into streams by tag and,
// for container records, by stdout/stderr (the record's stream key, or the
// stream decoded from a docker or cri line).
//
// A joined record is the group's first record with key_content replaced by
// the joined text (lines separated by \n) and the first record's time and
// metadata; a record that is not part of a group leaves unchanged, and a
// record without key_content (or whose value is not a string) passes as it
// came.
//
// With buffer on (the default) the filter holds lines across batches, so a
// trace split across the batches of a forward client or of several reads
// is joined. Like Fluent Bit, it then takes every record out of the batch
// and re-emits them, in order, through its emitter (Emitter_Name,
// Emitter_Storage.type, Emitter_Mem_Buf_Limit; see plugin.Spec.Emits): they
// re-enter the pipeline under their tag and pass through the filters that
// match it, except this one. A group not continued within flush_ms (2000)
// is emitted by the filter's timer; at shutdown the engine calls Drain
// before the last seal, so no held line is lost. With buffer off, lines are
// joined within one batch only and the result leaves in the batch itself.
//
// mode partial_message joins instead the pieces of a long line that
// Docker's fluentd log driver sends as records marked partial_message
// "true", partial_id and partial_last: the pieces of one partial_id (per
// tag) are concatenated without separator into key_content, the message
// keeps its first piece's other keys (without the partial_* ones) and
// leaves in the batch of its last piece; pieces whose last one does not
// come within flush_ms, or before shutdown, are emitted as they stand
// through the emitter. Records without the metadata pass unchanged.
// multiline.parser is not used in that mode, and it needs buffer on.
//
// Not implemented: multiline.max_lines and debug_flush. As in Fluent Bit,
// two buffered multiline filters must not match the same tags (each would
// re-emit the other's records).
package multiline
