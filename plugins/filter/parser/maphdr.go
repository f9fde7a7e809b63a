package parser

import "github.com/tinylib/msgp/msgp"

// mapLen returns the entry count of the msgpack map m.
func mapLen(m []byte) (int, error) {
	n, _, err := msgp.ReadMapHeaderBytes(m)
	return int(n), err
}

// mapHeaderLen returns the size of m's map header.
func mapHeaderLen(m []byte) int {
	_, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		return len(m)
	}
	return len(m) - len(rest)
}
