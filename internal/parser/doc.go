// Package parser turns unstructured log text into records: the named
// parsers of Fluent Bit's [PARSER] sections and parsers files, with the
// formats regex (named groups), json, logfmt and ltsv.
//
// A Parser reads one line (or one field value) and appends a msgpack map
// to a byte slice, returning the record time when the line carried one
// (Time_Key, read with Time_Format by a strptime implementation, see
// TimeLayout). Types converts captured strings to integers, floats,
// booleans or hex numbers; Decode_Field and Decode_Field_As decode values
// that are themselves JSON or escaped text, as Docker's log field is.
//
// Parsers are immutable once built and safe for concurrent use: filters
// run them from every input's goroutine. A Registry holds the parsers of a
// configuration by name; the engine builds it once and hands it to the
// plugins (plugin.Settings.Parsers).
//
// Regular expressions are Fluent Bit's Ruby (Onigmo) syntax, compiled by
// package regex: on RE2 when it can run them, else (look-around,
// backreferences, atomic groups) on a backtracking engine whose matches
// give up after regex.MatchTimeout; Parse then returns ErrNoMatch.
package parser
