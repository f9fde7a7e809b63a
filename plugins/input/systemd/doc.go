// Package systemd implements the systemd input: it reads the journal's
// files (package internal/journal, pure Go: Sluice is built without cgo, so
// libsystemd's sd-journal cannot be used) and emits one record per entry,
// with Fluent Bit's parameters and record shape.
//
// Records. The keys are the entry's fields in the order the file lists
// them (the order journalctl prints), the values their bytes as msgpack
// strings, binary values included, as Fluent Bit packs them; the address
// fields journalctl adds (__CURSOR, __REALTIME_TIMESTAMP,
// __MONOTONIC_TIMESTAMP) are not fields and are not in the record. The
// record's time is the entry's __REALTIME_TIMESTAMP (Fluent Bit's
// sd_journal_get_realtime_usec). A '*' in Tag becomes the entry's
// _SYSTEMD_UNIT, or "unknown" without one.
//
// Order and batches. Entries are read oldest first across the directory's
// files and emitted in rounds of at most Max_Entries, one batch per tag and
// round: the entries of one tag keep their order.
//
// DB. The cursor of the last entry of a round is stored once the round's
// batches, and every earlier round's, are acknowledged (plugin.AckEmitter:
// written to the filesystem buffer, or delivered by every output); a
// restart resumes after it, so a kill -9 loses nothing and delivery is at
// least once. The DB is a one-line text file (see db.go), not Fluent Bit's
// SQLite database: a Fluent Bit DB found at the path is reported, read as
// empty and replaced.
//
// Differences from Fluent Bit: new entries are found by polling every
// 250 ms rather than through sd-journal's inotify descriptor; Systemd_Filter
// with Systemd_Filter_Type And ORs the values given for one field (as
// sd-journal does within a term) and ANDs the fields;
// journal files set aside as unclean (*.journal~) are not read.
package systemd
