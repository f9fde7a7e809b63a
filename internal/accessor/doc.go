// Package accessor implements Fluent Bit's record accessor: the `$key['sub'][0]`
// syntax that filters and outputs use to name a value inside a record, and the
// templates built from it (`app.$kubernetes['namespace_name'].$TAG[1]`) that
// outputs use to name log groups, streams, tags and keys per record.
//
// A Path is parsed once, at configuration time, and then reads values straight
// out of a record's msgpack body with record.Lookup and record.Index: nothing
// is decoded or allocated per record. Parse errors carry the column of the
// offending character so a config error can point at it.
//
// Grammar (a superset of Fluent Bit's):
//
//	path     = "$" name { subscript }
//	name     = 1*( ALPHA / DIGIT / "_" / "-" / "@" )   ; a top-level key
//	subscript = "[" ( quoted / index ) "]"
//	quoted   = "'" *char "'" / DQUOTE *char DQUOTE     ; a map key, any bytes but the quote
//	index    = 1*DIGIT                                   ; an array element
//
// In a template, a variable ends where its name does. $TAG and $0 … $9 end
// at the first byte that is not a letter, digit or '_', so `$TAG-$app` is two
// variables around a literal dash; a record key's name may contain '-', so
// `$app-$x` reads the key "app-". Fluent Bit requires `.` or `,` after a
// variable, and every template it accepts means the same here.
package accessor
