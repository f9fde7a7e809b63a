// Package grep implements the grep filter: it keeps or drops records by
// matching regular expressions against their fields.
//
// # Fluent Bit parity
//
// Parameters are Fluent Bit's filter_grep: Regex KEY REGEX keeps the
// records whose KEY matches, Exclude KEY REGEX drops them; both repeat.
// KEY is a top-level key or a record accessor ($kubernetes['labels']['app']).
// Logical_Op says how several rules combine:
//
//   - legacy (the default): a record stays when every Regex matches and no
//     Exclude does;
//   - AND: with Regex rules, a record stays when all match; with Exclude
//     rules, it goes when all match;
//   - OR: with Regex rules, a record stays when any matches; with Exclude
//     rules, it goes when any matches.
//
// As in Fluent Bit, AND and OR cannot mix Regex and Exclude rules, and a
// missing field never matches. Values compare as text: strings as they
// are, numbers and booleans in decimal (Fluent Bit matches strings only).
// Regular expressions are Ruby syntax (package internal/regex: RE2, or a
// backtracking engine for look-around and backreferences); a match that
// gives up counts as no match and is logged.
package grep
