// Package modify implements the modify filter: it sets, adds, removes,
// renames and copies the top-level fields of records, optionally only for
// records that meet every Condition.
//
// # Fluent Bit parity
//
// Rules and conditions are Fluent Bit's filter_modify, with its names and
// argument forms. Rules apply in the order they are written:
//
//	Set KEY VALUE            add KEY, or overwrite it
//	Add KEY VALUE            add KEY when it is absent
//	Remove KEY               remove KEY
//	Remove_wildcard PATTERN  remove the keys PATTERN matches (a trailing * matches any suffix)
//	Remove_regex REGEX       remove the keys REGEX matches
//	Rename KEY NEW           rename KEY when NEW is absent
//	Hard_rename KEY NEW      rename KEY, replacing NEW
//	Copy KEY NEW             copy KEY's value to NEW when NEW is absent
//	Hard_copy KEY NEW        copy KEY's value to NEW, replacing it
//	Move_to_start PATTERN    move the keys PATTERN matches to the front
//	Move_to_end PATTERN      move the keys PATTERN matches to the back
//
// Conditions (all must hold) read keys as record accessors when they start
// with $ ($kubernetes['labels']['app']) and as top-level keys otherwise:
// Key_exists, Key_does_not_exist, A_key_matches, No_key_matches,
// Key_value_equals, Key_value_does_not_equal, Key_value_matches,
// Key_value_does_not_match, Matching_keys_have_matching_values and
// Matching_keys_do_not_have_matching_values. Values compare as text:
// strings as they are, numbers and booleans in decimal.
//
// Set and Add write string values, as Fluent Bit does. Regular expressions
// are Ruby syntax (package internal/regex: RE2, or a backtracking engine
// for look-around and backreferences); a match that gives up counts as no
// match and is logged.
package modify
