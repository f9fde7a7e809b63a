package multiline

import "unsafe"

// unsafeString views b as a string without copying, for calls that do not
// retain their argument (time.Parse).
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
