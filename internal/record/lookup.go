package record

import (
	"fmt"

	"github.com/tinylib/msgp/msgp"
)

// Lookup finds key in the raw msgpack map m and returns the raw encoding of
// its value. It compares string (or binary) keys byte for byte, passes over
// keys of other types, and walks the map without decoding values it does not
// need. With duplicate keys the first one wins. It reports false when the
// key is absent or m is not a valid map up to the key. The result aliases m.
func Lookup(m []byte, key string) ([]byte, bool) {
	n, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		return nil, false
	}
	for i := uint32(0); i < n; i++ {
		var k []byte
		isString := true
		if k, rest, err = msgp.ReadMapKeyZC(rest); err != nil {
			// A key of another type cannot equal a string: skip it.
			isString = false
			if rest, err = skipValue(rest, 1); err != nil {
				return nil, false
			}
		}
		valStart := rest
		if rest, err = skipValue(rest, 1); err != nil {
			return nil, false
		}
		if isString && string(k) == key {
			return valStart[:len(valStart)-len(rest)], true
		}
	}
	return nil, false
}

// StringValue returns the raw msgpack value v as a string when it is a
// string or binary, without copying.
func StringValue(v []byte) ([]byte, bool) {
	switch msgp.NextType(v) {
	case msgp.StrType:
		s, _, err := msgp.ReadStringZC(v)
		return s, err == nil
	case msgp.BinType:
		s, _, err := msgp.ReadBytesZC(v)
		return s, err == nil
	}
	return nil, false
}

// MapEntries calls fn for each key and raw value of the msgpack map m, in
// encoded order, until fn returns false. Keys must be strings or binary: a
// key of another type, like any decoding error, stops the walk with an error
// wrapping ErrMalformed.
func MapEntries(m []byte, fn func(key, value []byte) bool) error {
	n, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		return malformed("map: %v", err)
	}
	for i := uint32(0); i < n; i++ {
		var k []byte
		if k, rest, err = msgp.ReadMapKeyZC(rest); err != nil {
			return malformed("map key %d: %v", i, err)
		}
		valStart := rest
		if rest, err = skipValue(rest, 1); err != nil {
			return fmt.Errorf("map value %d: %w", i, err)
		}
		if !fn(k, valStart[:len(valStart)-len(rest)]) {
			return nil
		}
	}
	return nil
}

// Index returns the raw encoding of element i of the msgpack array a. It
// reports false when a is not an array, i is out of range, or a is
// malformed up to element i. The result aliases a.
func Index(a []byte, i int) ([]byte, bool) {
	n, rest, err := msgp.ReadArrayHeaderBytes(a)
	if err != nil || i < 0 || uint64(i) >= uint64(n) {
		return nil, false
	}
	for ; i > 0; i-- {
		if rest, err = skipValue(rest, 1); err != nil {
			return nil, false
		}
	}
	end, err := skipValue(rest, 1)
	if err != nil {
		return nil, false
	}
	return rest[:len(rest)-len(end)], true
}
