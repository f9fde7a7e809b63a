// Package lua implements the lua filter: a Lua function called for every
// record, which may keep, drop, rewrite or split it. Scripts run in
// github.com/yuin/gopher-lua, a Lua 5.1 virtual machine written in Go.
//
// # Fluent Bit parity
//
// Parameters are Fluent Bit's filter_lua: script (a file) or code (inline
// source), call (the function), protected_mode (on), time_as_table (off),
// type_int_key and type_array_key. As in Fluent Bit, code wins when both
// are set, and a relative script missing from the working directory is
// read from the directory of the configuration file. The function is
// called as
//
//	code, timestamp, record = fn(tag, timestamp, record)
//
// and its first result follows Fluent Bit's contract:
//
//	-1  drop the record
//	 0  keep the record unchanged
//	 1  replace the record and its timestamp
//	 2  replace the record, keep the original timestamp
//
// The returned record may be an array of records, which become several
// records with the same timestamp. The timestamp is a number of seconds
// with a fraction, or with time_as_table a table {sec = ..., nsec = ...}.
//
// Values convert as in Fluent Bit: maps become tables, arrays become
// tables indexed from 1, nil values disappear from tables. On the way
// back a table whose keys are exactly 1..n is an array (an empty table is
// a map, unless its key is listed in type_array_key), a whole number is an
// integer and other numbers are floats; type_int_key forces integers.
//
// A returned record keeps its fields in order, the ones the script added
// following in the order it set them.
//
// With protected_mode on, a script error keeps the record unchanged and is
// logged; with it off, the error fails the batch, which the engine passes
// on unchanged and counts. One Lua state serves the filter; calls are
// serialized, as Fluent Bit runs one state per filter instance.
package lua
