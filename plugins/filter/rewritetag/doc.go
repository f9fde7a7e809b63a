// Package rewritetag implements the rewrite_tag filter: records whose
// field matches a rule are emitted again under a new tag, through the
// engine's emitter for this filter, and routed by that tag.
//
// # Fluent Bit parity
//
// Parameters are Fluent Bit's filter_rewrite_tag. Each Rule is
// `KEY REGEX NEW_TAG KEEP`: KEY is a record accessor ($log,
// $kubernetes['labels']['app']); NEW_TAG is a template with $TAG, $TAG[n]
// (the tag's dot-separated parts), $0 … $9 (the match and REGEX's groups)
// and record accessors; KEEP (true/false) says whether the original record
// also continues under its old tag. Rules are tried in order and the first
// that matches wins. Emitter_Name, Emitter_Storage.type and
// Emitter_Mem_Buf_Limit (10M) configure the emitter, which the engine
// builds (plugin.Spec.Emits): a record it carries passes through the
// filters matching its new tag, except this one, so a rule cannot loop.
//
// While the emitter is over Emitter_Mem_Buf_Limit, the filter waits, which
// pauses the input feeding it: records are delayed, not dropped. A record
// whose NEW_TAG renders empty is kept under its old tag.
package rewritetag
