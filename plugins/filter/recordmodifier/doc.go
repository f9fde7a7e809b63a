// Package recordmodifier implements the record_modifier filter: it appends
// fixed fields to every record (Record), removes fields (Remove_key) or
// keeps only some (Allowlist_key), and can add a random UUID (Uuid_key).
// FireLens uses it to stamp ecs_cluster, ecs_task_arn, ecs_task_definition
// and ec2_instance_id on every log line.
//
// # Fluent Bit parity
//
// Parameters are Fluent Bit's (plugins/filter_record_modifier): Record
// takes a key and a value (the rest of the line) and may repeat, as may
// Remove_key, Allowlist_key and its older name Whitelist_key. Remove_key
// and Allowlist_key exclude each other: setting both is a configuration
// error, as in Fluent Bit; both match keys case-insensitively, and a
// trailing * matches by prefix (Remove_key Swap.*). Values are strings.
// Metadata and timestamps are kept.
//
// Differences, on purpose: a Record whose key the record already has
// replaces that field, where Fluent Bit appends a second field of the same
// name; a record left with no field is kept as {}, where Fluent Bit drops
// it without a word; a record whose body cannot be walked (a non-string
// key) passes unchanged, with a warning.
package recordmodifier
