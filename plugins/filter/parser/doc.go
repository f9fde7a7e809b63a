// Package parser implements the parser filter: it parses the text of one
// field of each record with named parsers ([PARSER] sections) and replaces
// the record with what they found.
//
// # Fluent Bit parity
//
// Parameters and defaults are Fluent Bit's filter_parser: Key_Name (the
// field), Parser (repeatable; the parsers are tried in order and the first
// that matches wins), Reserve_Data (off: only the parsed fields remain),
// Preserve_Key (off: the parsed field is dropped) and Unescape_Key (off).
// A record whose field is missing, is not text, or matches no parser passes
// unchanged; a parsed time (the parser's Time_Key) becomes the record time.
//
// Differences, on purpose:
//
//   - With Reserve_Data, a kept field that the parse also produced is
//     dropped, so the parsed value wins and the record never carries the
//     same key twice (Fluent Bit writes both).
//   - An unknown parser name is a configuration error at the Parser line,
//     with the defined names, not a warning at start-up.
package parser
