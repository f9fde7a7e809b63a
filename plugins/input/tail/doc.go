// Package tail implements the tail input: it follows text files as they
// grow and emits one record per line, {"log": "<line>"} (Key names the
// field), with Fluent Bit's parameters, across the ways logs move under it.
//
// Reading. Each file is read in blocks of 32 KiB that double while reads
// fill them, up to 256 KiB (or Buffer_Chunk_Size if larger), and halve
// again when the file slows down; lines are split in place: a record is
// encoded straight from the read buffer, and only an unfinished last line
// is moved before the next read. A batch is emitted every 128 KiB of
// records and at the end of each read. Read buffers
// are lent to a file while it is read and returned when it reaches its
// end, so idle files hold none (an unfinished line is kept aside). A trailing
// \r is dropped. A line with no newline yet is kept until its newline
// arrives, or until its file is closed after rotation.
//
// Offsets and the DB. A file's committable offset is the start of its
// first line not yet emitted (lines held back by a multiline parser keep
// it at their first line). It is stored in the DB only once Sluice is done
// with every line before it: the engine acknowledges each batch
// (plugin.AckEmitter) when it is written to the filesystem buffer
// (storage.type filesystem) or delivered by every output (memory), and
// the offset moves past a batch only when it and every earlier batch of
// the file are acknowledged (ack.go). A kill -9 therefore loses no line:
// what was read but not acknowledged is read again after the restart
// (delivery is at least once). The last acknowledgements, which come
// while the engine drains at shutdown, are stored by Close; lines the
// engine gave up on at shutdown (Grace ran out) keep the offset before
// them, so the next start reads them again, while lines an output
// rejected for good (counted and logged by the engine) are passed. The DB (see
// db.go for the format and why it is not SQLite) maps a file's device and
// inode, plus a checksum of its first KiB that tells a file from a later
// one reusing the inode, to its offset and name. At start-up a file with
// an entry resumes at its offset; files the DB knows that Path no longer
// matches are looked for under a new name in their directory (rotated
// while Sluice was down) and read to their end. A rotated file is closed,
// and its entry dropped, only once its last lines are acknowledged.
//
// Finding files. Path's globs are expanded at start-up, every
// Refresh_Interval, on file-creation events and when file events
// overflowed. Files found at start-up with no offset are read from their
// end unless Read_from_Head is on or they changed after the DB was last
// written (created while Sluice was down); files found later are read
// from their beginning. Exclude_Path globs are matched against the path and the base
// name. Ignore_Older skips files whose modification time is older.
//
// Rotation. Files are identified by device and inode, so a file renamed
// (logrotate's default, the kubelet's) keeps being read: when its path no
// longer leads to it (renamed or deleted), it is read on for Rotate_Wait
// and closed after it was read to its end, its unfinished last line
// emitted; the new file at the path is read from its beginning. A file
// renamed to a name Path still matches is simply followed under that name.
// A file that became shorter than what was read (copytruncate) is read
// again from its beginning; copytruncate itself loses lines written
// between its copy and its truncation, which no reader of the original can
// see. A deleted file stays open, so its inode cannot be reused while it
// is read.
//
// Watching. With Inotify_Watcher on (the default), file events on the
// directories of the patterns (every level a wildcard directory matches,
// so files in directories created later are found at once) and of the
// followed files (and of their symlinks' targets) start a pass at once
// over the files they name; a poll every 250 ms checks every file for
// growth (an fstat), rotation and truncation whether or not events
// arrive, so events are an optimisation, never a requirement.
//
// Tags. A '*' in Tag is replaced by the file's path with slashes turned
// into dots (kube.* and /var/log/containers/a.log give
// kube.var.log.containers.a.log), the path being the one Path matched.
// With Tag_Regex, Tag's <name> placeholders take the regex's named groups
// matched against the path instead.
//
// Multiline. multiline.parser names parsers of package multiline: docker
// and cri decode container log lines, join the pieces the runtime split
// and emit {"stream", "log"} (cri adds "_p": "F") with the runtime's time;
// go, java, python and [MULTILINE_PARSER] sections join stack traces.
// Docker_Mode on is multiline.parser docker, with Docker_Mode_Flush as its
// flush timeout.
//
// Parser. A [PARSER] named by Parser turns each record's text into its
// fields (and its time, with Time_Key); text it does not match is kept as
// {Key: text}. The container stream, Path_Key and Offset_Key are added
// after the parsed fields.
//
// Differences from Fluent Bit, on purpose:
//
//   - The DB is Sluice's own append-only file, not SQLite; DB.journal_mode
//     is accepted and ignored. A Fluent Bit DB is not read: a first start
//     with Sluice reads files as if there were no DB.
//   - Files rotated while Sluice was down are found and finished.
//   - Buffer_Chunk_Size bounds the read size (at least 256 KiB for
//     throughput) rather than setting the first one, which is 32 KiB;
//     Buffer_Max_Size bounds a line.
//   - A file given up on for a line longer than Buffer_Max_Size (with
//     Skip_Long_Lines off) is not found again by later scans until it
//     leaves its path.
//   - Parser applies to the text a multiline parser rebuilt, too (Fluent
//     Bit ignores Parser when multiline.parser is set); DB.compare_filename,
//     Ignore_Active_Older_Files, Docker_Mode_Parser, the old
//     Multiline/Parser_Firstline keys and the encodings are not supported
//     (sluice validate reports them as unknown).
//   - Docker_Mode decodes the json-file lines itself ({"stream", "log"},
//     timed by Docker's time) instead of handing the rejoined JSON line to
//     Parser, so Parser docker is not needed with it (and, if set, sees
//     the log text).
//   - Exit_On_Eof stops Sluice once every file found was read to its end,
//     as Fluent Bit does: what was read is delivered (within Grace), then
//     the process exits.
package tail
