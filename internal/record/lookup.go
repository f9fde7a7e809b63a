package record

import (
	"github.com/tinylib/msgp/msgp"
)

// Lookup finds key in the raw msgpack map m and returns the raw encoding of
// its value. It compares string (or binary) keys byte for byte and walks the
// map without decoding values it does not need. The result aliases m.
func Lookup(m []byte, key string) ([]byte, bool) {
	n, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		return nil, false
	}
	for i := uint32(0); i < n; i++ {
		var k []byte
		k, rest, err = msgp.ReadMapKeyZC(rest)
		if err != nil {
			return nil, false
		}
		valStart := rest
		if rest, err = msgp.Skip(rest); err != nil {
			return nil, false
		}
		if string(k) == key {
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
// encoded order, until fn returns false. It reports a decoding error.
func MapEntries(m []byte, fn func(key, value []byte) bool) error {
	n, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		return malformed("map: %v", err)
	}
	for i := uint32(0); i < n; i++ {
		var k []byte
		if k, rest, err = msgp.ReadMapKeyZC(rest); err != nil {
			return malformed("map key: %v", err)
		}
		valStart := rest
		if rest, err = msgp.Skip(rest); err != nil {
			return malformed("map value: %v", err)
		}
		if !fn(k, valStart[:len(valStart)-len(rest)]) {
			return nil
		}
	}
	return nil
}
