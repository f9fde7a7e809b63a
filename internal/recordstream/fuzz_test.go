package recordstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// decodeStream feeds pieces to a new decoder like d and ends it; it returns
// the events and the first error.
func decodeStream(d Decoder, pieces ...[]byte) ([]byte, error) {
	var err error
	for _, p := range pieces {
		if err = d.Feed(p, 1); err != nil {
			break
		}
	}
	if err == nil {
		err = d.End(1)
	}
	return d.Events.Bytes(), err
}

// FuzzDecoder decodes arbitrary streams, as JSON or as text split on a
// separator, with a fuzzed Buffer_Size, in one piece and cut in two.
// Where the stream is cut must not matter (same records, same error or
// none); the records must be valid events; and they must be what an
// independent reading gives (bytes.Split for text, encoding/json's stream
// decoder for JSON): every record one of the input's, in order, and on an
// error every record before the bad one kept.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte(`{"a":1}{"b":[1,2,{"c":"}"}]}`), 3, true, uint16(4096))
	f.Add([]byte("line one\nline two\r\n"), 5, false, uint16(4096))
	f.Add([]byte(`[{"a":"\u00e9"},{}]`), 1, true, uint16(4096))
	f.Add([]byte("short\n0123456789012345678901234567890123456789\nafter\n"), 30, false, uint16(0))
	f.Add([]byte(`{"a":1} [{"b":2},3] {"c":4}`), 12, true, uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, cut int, asJSON bool, max uint16) {
		d := Decoder{JSON: asJSON, Sep: []byte("\n"), Max: 16 + int(max)%4096}
		if cut < 0 || cut > len(data) {
			cut = len(data) / 2
		}
		whole, wholeErr := decodeStream(d, data)
		split, splitErr := decodeStream(d, data[:cut], data[cut:])
		if (wholeErr == nil) != (splitErr == nil) || !bytes.Equal(whole, split) {
			t.Fatalf("in one piece %d bytes of events (%v); cut at %d, %d bytes (%v)", len(whole), wholeErr, cut, len(split), splitErr)
		}
		if wholeErr != nil && wholeErr.Error() == "" {
			t.Fatal("empty error")
		}
		if _, err := record.Count(whole); err != nil {
			t.Fatalf("events do not decode: %v", err)
		}
		var got []string
		for it := record.NewIterator(whole); it.Next(); {
			js, _, _ := record.AppendJSON(nil, it.Event().Body)
			got = append(got, string(js))
		}
		var want []string
		var wantErr bool
		if asJSON {
			want, wantErr = referenceJSONStream(t, data, d.Max)
		} else {
			want, wantErr = referenceText(data, d.Sep, d.Max)
		}
		if wantErr != (wholeErr != nil) {
			t.Fatalf("error %v, the reference reading says error: %v", wholeErr, wantErr)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("records\n%q\nwant\n%q", got, want)
		}
	})
}

// referenceText splits a text stream with bytes.Split: each record as its
// JSON body, and whether a record is longer than max.
func referenceText(data, sep []byte, max int) ([]string, bool) {
	parts := bytes.Split(data, sep)
	if len(parts[len(parts)-1]) == 0 {
		parts = parts[:len(parts)-1] // no unterminated last record
	}
	var out []string
	for _, p := range parts {
		if len(p) > max {
			return out, true
		}
		if sep[0] == '\n' {
			p = bytes.TrimSuffix(p, []byte("\r"))
		}
		out = append(out, string(record.AppendJSONString([]byte(`{"log":`), p))+"}")
	}
	return out, false
}

// referenceJSONStream reads a stream of JSON values with encoding/json:
// the objects, and those of arrays of objects, as compact JSON, until the
// first value that is invalid, longer than max, or not an object or array
// of objects (whose objects before the bad element are kept).
func referenceJSONStream(t *testing.T, data []byte, max int) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []string
	compact := func(raw []byte) string {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			t.Fatal(err)
		}
		// Normalise through the same msgpack -> JSON writer as the records.
		m, err := record.AppendJSONAsMsgpack(nil, b.Bytes())
		if err != nil {
			return "depth"
		}
		js, _, _ := record.AppendJSON(nil, m)
		return string(js)
	}
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out, false
		}
		if err != nil || len(raw) > max {
			return out, true
		}
		switch raw[0] {
		case '{':
			out = append(out, compact(raw))
		case '[':
			var elems []json.RawMessage
			if err := json.Unmarshal(raw, &elems); err != nil {
				return out, true
			}
			for _, e := range elems {
				if e[0] != '{' {
					return out, true
				}
				out = append(out, compact(e))
			}
		default:
			return out, true
		}
	}
}
