// Package nest implements the nest filter: it moves top-level fields into
// a map (nest) or a map's fields to the top level (lift).
//
// # Fluent Bit parity
//
// Parameters are Fluent Bit's filter_nest. Operation nest moves every
// field matching a Wildcard (repeatable; a trailing * matches any suffix)
// into a new map field Nest_under, after the fields that stay; a record
// with no matching field passes unchanged. Operation lift replaces the map
// field Nested_under by its fields, after the other fields; a record whose
// Nested_under is missing or not a map passes unchanged. Add_prefix and
// Remove_prefix rename the moved fields (Remove_prefix first, and only
// where the key starts with it).
package nest
