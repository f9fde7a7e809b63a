package record

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/tinylib/msgp/msgp"
)

// cat concatenates msgpack fragments.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// mp encodes one Go value with msgp's reference encoder.
func mp(t testing.TB, v any) []byte {
	t.Helper()
	b, err := msgp.AppendIntf(nil, v)
	if err != nil {
		t.Fatalf("msgp.AppendIntf(%#v): %v", v, err)
	}
	return b
}

// kv encodes a map in the given key order (msgp.AppendIntf of a Go map
// has random order): alternating keys and values, each a Go value for
// msgp.AppendIntf or an already-encoded msgp.Raw.
func kv(t testing.TB, pairs ...any) []byte {
	t.Helper()
	if len(pairs)%2 != 0 {
		t.Fatalf("kv: odd number of arguments")
	}
	b := msgp.AppendMapHeader(nil, uint32(len(pairs)/2))
	for _, v := range pairs {
		b = appendValue(t, b, v)
	}
	return b
}

// arr encodes an array of Go values or msgp.Raw.
func arr(t testing.TB, elems ...any) []byte {
	t.Helper()
	b := msgp.AppendArrayHeader(nil, uint32(len(elems)))
	for _, v := range elems {
		b = appendValue(t, b, v)
	}
	return b
}

func appendValue(t testing.TB, b []byte, v any) []byte {
	t.Helper()
	if raw, ok := v.(msgp.Raw); ok {
		return append(b, raw...)
	}
	b, err := msgp.AppendIntf(b, v)
	if err != nil {
		t.Fatalf("msgp.AppendIntf(%#v): %v", v, err)
	}
	return b
}

// fixext8 encodes an extension of type typ with 8 data bytes.
func fixext8(typ byte, data uint64) []byte {
	b := []byte{0xd7, typ, 0, 0, 0, 0, 0, 0, 0, 0}
	for i := 0; i < 8; i++ {
		b[9-i] = byte(data >> (8 * i))
	}
	return b
}

// evTime encodes an EventTime as fixext8.
func evTime(sec, nsec uint32) []byte { return fixext8(0, uint64(sec)<<32|uint64(nsec)) }

// evTimeExt8 encodes an EventTime in the ext8 form some clients send.
func evTimeExt8(sec, nsec uint32) []byte { return append([]byte{0xc7, 8}, evTime(sec, nsec)[1:]...) }

// nested returns depth arrays nested in each other around inner.
func nested(depth int, inner []byte) []byte {
	b := bytes.Repeat([]byte{0x91}, depth)
	return append(b, inner...)
}

// canonicalJSON decodes JSON and re-encodes it with encoding/json after
// normalising numbers, so that two encodings of the same values compare
// equal: an integer literal that fits int64 or uint64 keeps its value, and
// any other number becomes its float64, written as an integer when it is
// one within the 64-bit range (1.0, 1e2) and in shortest form otherwise. ok
// is false when a number overflows float64, which has no JSON encoding.
func canonicalJSON(t testing.TB, data []byte) (string, bool) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("encoding/json cannot decode %q: %v", data, err)
	}
	v, ok := normaliseNumbers(v)
	if !ok {
		return "", false
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding/json cannot encode %#v: %v", v, err)
	}
	return string(out), true
}

func normaliseNumbers(v any) (any, bool) {
	switch v := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				return json.Number(strconv.FormatInt(i, 10)), true // "-0" is 0
			}
			if _, err := strconv.ParseUint(string(v), 10, 64); err == nil {
				return v, true
			}
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, false
		}
		switch {
		case f == math.Trunc(f) && f >= math.MinInt64 && f < 1<<63:
			return json.Number(strconv.FormatInt(int64(f), 10)), true
		case f == math.Trunc(f) && f >= 0 && f < 1<<64:
			return json.Number(strconv.FormatUint(uint64(f), 10)), true
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
	case []any:
		for i := range v {
			var ok bool
			if v[i], ok = normaliseNumbers(v[i]); !ok {
				return nil, false
			}
		}
	case map[string]any:
		for k := range v {
			var ok bool
			if v[k], ok = normaliseNumbers(v[k]); !ok {
				return nil, false
			}
		}
	}
	return v, true
}
